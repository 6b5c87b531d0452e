import Foundation
import ConsentryStorage
import ConsentryRecords

/// Queries over the audit trail: a customer's access history for the dashboard, officers'
/// searches, and the recipients of a customer's data for the access report. Reads only.
public struct AuditReader: Sendable {
    public let database: AppDatabase

    public init(database: AppDatabase) {
        self.database = database
    }

    public struct Filter: Sendable, Equatable {
        /// `nil`: every customer (officers' searches).
        public var customerID: String?
        public var actorKind: AuditActor.Kind?
        public var actorID: String?
        public var purpose: String?
        public var from: Date?
        public var to: Date?
        /// Only entries that disclosed something (outcome permitted or partial).
        public var disclosuresOnly: Bool

        public init(customerID: String?, actorKind: AuditActor.Kind? = nil, actorID: String? = nil, purpose: String? = nil,
                    from: Date? = nil, to: Date? = nil, disclosuresOnly: Bool = false) {
            self.customerID = customerID
            self.actorKind = actorKind
            self.actorID = actorID
            self.purpose = purpose
            self.from = from
            self.to = to
            self.disclosuresOnly = disclosuresOnly
        }
    }

    public struct Entry: Sendable, Equatable {
        public var seq: Int64
        public var occurredAt: String
        public var actor: AuditActor
        public var action: String
        public var customerID: String?
        public var purpose: String?
        public var fields: [String]
        public var outcome: String
        public var reasons: [String]
        public var policyVersion: String?
        public var requestID: String?
    }

    /// Matching entries, newest first, and how many match in all.
    public func entries(_ filter: Filter, offset: Int, limit: Int) async throws -> (total: Int, entries: [Entry]) {
        var conditions = ["1 = 1"]
        var arguments: [(any SQLValueConvertible)?] = []
        if let customer = filter.customerID { conditions.append("customer_id = ?"); arguments.append(contentsOf: [customer]) }
        if let kind = filter.actorKind { conditions.append("actor_kind = ?"); arguments.append(contentsOf: [kind.rawValue]) }
        if let id = filter.actorID { conditions.append("actor_id = ?"); arguments.append(contentsOf: [id]) }
        if let purpose = filter.purpose { conditions.append("purpose = ?"); arguments.append(contentsOf: [purpose]) }
        // occurred_at is ISO 8601 UTC text with milliseconds: text order is time order.
        if let from = filter.from { conditions.append("occurred_at >= ?"); arguments.append(contentsOf: [AuditClock.format(from)]) }
        if let to = filter.to { conditions.append("occurred_at < ?"); arguments.append(contentsOf: [AuditClock.format(to)]) }
        if filter.disclosuresOnly { conditions.append("outcome IN ('permitted', 'partial')") }
        let whereClause = conditions.joined(separator: " AND ")
        let finalArguments = arguments
        return try await database.read { db in
            let total = try db.fetchValue(Int.self, "SELECT COUNT(*) FROM audit_entry WHERE \(whereClause)", finalArguments)!
            let rows = try db.fetchAll("SELECT * FROM audit_entry WHERE \(whereClause) ORDER BY seq DESC LIMIT ? OFFSET ?", finalArguments + [limit, offset])
            return (total, rows.map { row in
                Entry(
                    seq: row["seq"], occurredAt: row["occurred_at"],
                    actor: AuditActor(AuditActor.Kind(rawValue: row["actor_kind"]) ?? .system, row["actor_id"]), action: row["action"],
                    customerID: row["customer_id"], purpose: row["purpose"], fields: AuditVerifier.list(row["fields"]), outcome: row["outcome"],
                    reasons: AuditVerifier.list(row["reasons"]), policyVersion: row["policy_version"], requestID: row["request_id"])
            })
        }
    }

    /// Who received a customer's data: each module and purpose with the fields disclosed,
    /// how often, first and last (from entries that disclosed something).
    public struct Recipient: Sendable, Equatable {
        public var module: String
        public var purpose: String
        /// Field names as audited, without treatment suffixes.
        public var fields: [String]
        public var reads: Int
        public var first: String
        public var last: String
    }

    public func recipients(customerID: String) async throws -> [Recipient] {
        try await database.read { db in
            // SQLite groups the entries (a module reads the same field list over and over), so
            // Swift only merges a few groups: 10,000 entries cost milliseconds, not a row loop.
            let groups = try db.fetchAll("""
                    SELECT actor_id, purpose, fields, COUNT(*) AS n, MIN(occurred_at) AS first, MAX(occurred_at) AS last FROM audit_entry
                    WHERE customer_id = ? AND actor_kind = 'module' AND outcome IN ('permitted', 'partial')
                    GROUP BY actor_id, purpose, fields ORDER BY MIN(seq)
                    """, [customerID])
            var merged: [String: (recipient: Recipient, fields: Set<String>)] = [:]
            var order: [String] = []
            for group in groups {
                let module: String = group["actor_id"]
                let purpose: String = group["purpose"] ?? ""
                let key = module + "|" + purpose
                let (first, last): (String, String) = (group["first"], group["last"])
                if merged[key] == nil {
                    order.append(key)
                    merged[key] = (Recipient(module: module, purpose: purpose, fields: [], reads: 0, first: first, last: last), [])
                }
                merged[key]!.recipient.reads += group["n"] as Int
                merged[key]!.recipient.first = min(merged[key]!.recipient.first, first)
                merged[key]!.recipient.last = max(merged[key]!.recipient.last, last)
                for field in AuditVerifier.list(group["fields"]) where !field.contains(":withheld") && !field.hasPrefix("searchedBy:") {
                    merged[key]!.fields.insert(String(field.split(separator: ":").first ?? ""))
                }
            }
            return order.map { key in
                var recipient = merged[key]!.recipient
                recipient.fields = merged[key]!.fields.sorted()
                return recipient
            }
        }
    }
}
