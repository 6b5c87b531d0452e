import Foundation
import GRDB

/// Queries over the audit trail: a customer's access history for the dashboard (and, later,
/// officers' searches). Reads only; the trail is append-only.
public struct AuditReader: Sendable {
    public let database: AppDatabase

    public init(database: AppDatabase) {
        self.database = database
    }

    public struct Filter: Sendable, Equatable {
        public var customerID: String
        public var actorKind: AuditActor.Kind?
        public var actorID: String?
        public var purpose: String?
        public var from: Date?
        public var to: Date?
        /// Only entries that disclosed something (outcome permitted or partial).
        public var disclosuresOnly: Bool

        public init(customerID: String, actorKind: AuditActor.Kind? = nil, actorID: String? = nil, purpose: String? = nil,
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
        public var purpose: String?
        public var fields: [String]
        public var outcome: String
        public var reasons: [String]
        public var policyVersion: String?
    }

    /// Matching entries, newest first, and how many match in all.
    public func entries(_ filter: Filter, offset: Int, limit: Int) async throws -> (total: Int, entries: [Entry]) {
        var conditions = ["customer_id = ?"]
        var arguments: StatementArguments = [filter.customerID]
        if let kind = filter.actorKind { conditions.append("actor_kind = ?"); arguments += [kind.rawValue] }
        if let id = filter.actorID { conditions.append("actor_id = ?"); arguments += [id] }
        if let purpose = filter.purpose { conditions.append("purpose = ?"); arguments += [purpose] }
        // occurred_at is ISO 8601 UTC text with milliseconds: text order is time order.
        if let from = filter.from { conditions.append("occurred_at >= ?"); arguments += [AuditClock.format(from)] }
        if let to = filter.to { conditions.append("occurred_at < ?"); arguments += [AuditClock.format(to)] }
        if filter.disclosuresOnly { conditions.append("outcome IN ('permitted', 'partial')") }
        let whereClause = conditions.joined(separator: " AND ")
        let finalArguments = arguments
        return try await database.writer.read { db in
            let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM audit_entry WHERE \(whereClause)", arguments: finalArguments)!
            let rows = try Row.fetchAll(
                db, sql: "SELECT * FROM audit_entry WHERE \(whereClause) ORDER BY seq DESC LIMIT ? OFFSET ?",
                arguments: finalArguments + [limit, offset])
            return (total, rows.map { row in
                Entry(
                    seq: row["seq"], occurredAt: row["occurred_at"],
                    actor: AuditActor(AuditActor.Kind(rawValue: row["actor_kind"]) ?? .system, row["actor_id"]), action: row["action"],
                    purpose: row["purpose"], fields: AuditVerifier.list(row["fields"]), outcome: row["outcome"],
                    reasons: AuditVerifier.list(row["reasons"]), policyVersion: row["policy_version"])
            })
        }
    }
}
