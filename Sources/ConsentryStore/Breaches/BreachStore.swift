import ConsentryCore
import ConsentryRecords
import ConsentryStorage
import Foundation

/// The breach register in the database: `personal_data_breach` (officers' texts, dates, the
/// selection and the decisions) and `breach_customer` (ids and jurisdictions; never a
/// personal value). Letters decrypt names and languages only when they are written.
public struct BreachStore: BreachRecords {
    public let database: AppDatabase
    let customers: EncryptedCustomerStore

    public init(database: AppDatabase, customers: EncryptedCustomerStore) {
        self.database = database
        self.customers = customers
    }

    public func customersRead(byModule module: String, from: Date, until: Date, policy: Policy) async throws -> (customers: [String], categories: [String]) {
        let rows = try await database.read { db in
            // occurred_at is ISO 8601 UTC text with milliseconds: text order is time order.
            try db.fetchAll("""
                SELECT customer_id, fields FROM audit_entry
                WHERE actor_kind = 'module' AND actor_id = ? AND occurred_at >= ? AND occurred_at < ? AND customer_id IS NOT NULL
                  AND outcome IN ('permitted', 'partial')
                """, [module, AuditClock.format(from), AuditClock.format(until)])
        }
        var ids = Set<String>()
        var categories = Set<String>()
        for row in rows {
            ids.insert(row["customer_id"])
            let fields: String = row["fields"]
            for item in fields.split(separator: ",") {
                let parts = item.split(separator: ":", maxSplits: 1)
                guard let field = PolicyField(rawValue: String(parts[0])), parts.count == 1 || parts[1] != "withheld" else { continue }
                categories.insert(policy.category(of: field))
            }
        }
        return (ids.sorted(), categories.sorted())
    }

    public func unknownCustomers(_ ids: [String]) async throws -> [String] {
        let known = try await database.read { db in
            try Set(ids.chunked(500).flatMap { chunk in
                try db.fetchColumn(String.self, "SELECT id FROM customer WHERE id IN (\(db.placeholders(chunk.count)))", chunk)
            })
        }
        return ids.filter { !known.contains($0) }
    }

    public func insert(_ breach: PersonalDataBreach, affected: [String], policy: Policy) async throws -> [String: Int] {
        try await database.write { db in
            try db.execute("""
                INSERT INTO personal_data_breach (id, title, description, discovered_at, occurred_from, occurred_until, categories, selection,
                    consequences, measures, recorded_by, recorded_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, [
                    breach.id, breach.title, breach.description, breach.discoveredAt, breach.occurredFrom, breach.occurredUntil,
                    breach.categories.joined(separator: " "), Self.encode(breach.selection), breach.consequences, breach.measures,
                    breach.recordedBy, breach.recordedAt,
                ])
            var counts: [String: Int] = [:]
            for chunk in affected.chunked(500) {
                let rows = try db.fetchAll(
                    "SELECT id, residence, declared_jurisdiction FROM customer WHERE id IN (\(db.placeholders(chunk.count)))", chunk)
                for row in rows {
                    let jurisdiction = policy.jurisdiction(for: Residence(declared: row["declared_jurisdiction"], region: row["residence"])).id
                    try db.execute(
                        "INSERT INTO breach_customer (breach_id, customer_id, jurisdiction) VALUES (?, ?, ?)", [breach.id, row["id"] as String, jurisdiction])
                    counts[jurisdiction, default: 0] += 1
                }
            }
            return counts
        }
    }

    public func update(_ breach: PersonalDataBreach) async throws {
        try await database.write { db in
            try db.execute("""
                UPDATE personal_data_breach SET authority_notified_at = ?, authority_reference = ?, notify_customers = ?, notification_reason = ?,
                    decided_by = ?, decided_at = ?, customers_notified_at = ?, measures = ?, consequences = ? WHERE id = ?
                """, [
                    breach.authorityNotifiedAt, breach.authorityReference, breach.customerNotification?.notify,
                    breach.customerNotification?.reason, breach.customerNotification?.decidedBy, breach.customerNotification?.decidedAt,
                    breach.customersNotifiedAt, breach.measures, breach.consequences, breach.id,
                ])
        }
    }

    public func breach(id: String) async throws -> PersonalDataBreach? {
        try await database.read { db in try db.fetchOne("SELECT * FROM personal_data_breach WHERE id = ?", [id]).flatMap(Self.breach) }
    }

    public func breaches() async throws -> [PersonalDataBreach] {
        try await database.read { db in
            try db.fetchAll("SELECT * FROM personal_data_breach ORDER BY discovered_at DESC, id").compactMap(Self.breach)
        }
    }

    public func affected(breachID: String) async throws -> [(customerID: String, jurisdiction: String)] {
        try await database.read { db in
            try db.fetchAll("SELECT customer_id, jurisdiction FROM breach_customer WHERE breach_id = ? ORDER BY customer_id", [breachID])
                .map { ($0["customer_id"] as String, $0["jurisdiction"] as String) }
        }
    }

    public func addressees(customerIDs: [String]) async throws -> [String: (name: String?, language: String?)] {
        var result: [String: (name: String?, language: String?)] = [:]
        for id in customerIDs {
            guard let customer = try await customers.customer(id: id) else { continue }
            let name: String? = switch customer.profile.engagedParty {
            case .individual(let person): [person.title, person.givenName, person.familyName].compactMap { $0 }.joined(separator: " ")
            case .organization(let organization): organization.name
            }
            result[id] = (name, customer.profile.preferredLanguage)
        }
        return result
    }

    // MARK: Rows

    static func encode(_ selection: PersonalDataBreach.AffectedSelection) -> String {
        switch selection {
        case .moduleReads(let module, let from, let until):
            "module-reads \(module) \(ISOTimestamp.format(from)) \(ISOTimestamp.format(until))"
        case .list(let count): "list \(count)"
        }
    }

    static func decode(_ text: String) -> PersonalDataBreach.AffectedSelection? {
        let parts = text.split(separator: " ").map(String.init)
        switch parts.first {
        case "module-reads" where parts.count == 4:
            guard let from = ISODate.parseDateOrDateTime(parts[2]), let until = ISODate.parseDateOrDateTime(parts[3]) else { return nil }
            return .moduleReads(module: parts[1], from: from, until: until)
        case "list" where parts.count == 2: return Int(parts[1]).map { .list(count: $0) }
        default: return nil
        }
    }

    static func breach(_ row: SQLRow) -> PersonalDataBreach? {
        guard let selection = decode(row["selection"]) else { return nil }
        let categories: String = row["categories"]
        var breach = PersonalDataBreach(
            id: row["id"], title: row["title"], description: row["description"], discoveredAt: row["discovered_at"],
            occurredFrom: row["occurred_from"], occurredUntil: row["occurred_until"],
            categories: categories.split(separator: " ").map(String.init), selection: selection, consequences: row["consequences"],
            measures: row["measures"], recordedBy: row["recorded_by"], recordedAt: row["recorded_at"])
        breach.authorityNotifiedAt = row["authority_notified_at"]
        breach.authorityReference = row["authority_reference"]
        if let notify: Bool = row["notify_customers"], let reason: String = row["notification_reason"], let by: String = row["decided_by"],
            let at: Date = row["decided_at"]
        {
            breach.customerNotification = .init(notify: notify, reason: reason, decidedBy: by, decidedAt: at)
        }
        breach.customersNotifiedAt = row["customers_notified_at"]
        return breach
    }
}

extension Array {
    /// Slices of at most `size` elements: IN lists stay under the engines' parameter limits.
    fileprivate func chunked(_ size: Int) -> [[Element]] {
        stride(from: 0, to: count, by: size).map { Array(self[$0..<Swift.min($0 + size, count)]) }
    }
}
