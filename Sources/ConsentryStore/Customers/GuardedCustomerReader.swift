import ConsentryCore
import ConsentryCrypto
import Foundation
import ConsentryStorage
import ConsentryRecords

/// Reads customers for a decision: one database read fetches the rows and the consent state
/// they need, the caller's decision says which fields may leave, and only those are decrypted.
public struct GuardedCustomerReader: Sendable {
    public let database: AppDatabase
    public let keys: KeyProvider

    public typealias Decide = AccessDecider

    public init(database: AppDatabase, keys: KeyProvider) {
        self.database = database
        self.keys = keys
    }

    /// The `WHERE` conditions of a list (live customers only, as the partial indexes have them).
    static func conditions(_ filter: CustomerListFilter) -> (String, [(any SQLValueConvertible)?]) {
        var conditions = "erased_at IS NULL"
        var arguments: [(any SQLValueConvertible)?] = []
        if let partyType = filter.partyType {
            conditions += " AND party_type = ?"
            arguments.append(partyType.rawValue)
        }
        if let status = filter.status {
            conditions += " AND status = ?"
            arguments.append(status.rawValue)
        }
        return (conditions, arguments)
    }

    /// Customers by id, in the order given; unknown ids are left out.
    public func read(ids: [String], decide: Decide) async throws -> [Disclosure] {
        let (records, states) = try await database.read { db in
            let records = try db.customerRecords(ids: ids)
            return (records, try db.privacyStates(for: records))
        }
        return try await disclose(records, states: states, decide: decide)
    }

    /// Customers whose `field` equals `value` exactly (blind index, confirmed by decrypting).
    public func search(_ field: BlindIndexField, value: String, decide: Decide) async throws -> [Disclosure] {
        let normalized = field.normalize(value)
        let digest = Data(try keys.current.digest(field, normalizedValue: normalized))
        let (records, states) = try await database.read { db in
            let ids = try db.fetchColumn(String.self, "SELECT customer_id FROM blind_index WHERE field = ? AND digest = ? ORDER BY customer_id", [field.rawValue, digest])
            let records = try db.customerRecords(ids: ids)
            return (records, try db.privacyStates(for: records))
        }
        // Truncated digests collide by design: keep the candidates whose value really matches.
        let matching = try await keys.withReload { keys in
            try records.filter { record in field.values(in: try record.open(keys: keys).profile).contains(normalized) }
        }
        return try await disclose(matching, states: states, decide: decide)
    }

    /// A page of all customers in id order, and how many there are in all.
    public func list(offset: Int, limit: Int, filter: CustomerListFilter = .all, decide: Decide) async throws -> (total: Int, items: [Disclosure]) {
        let (total, records, states) = try await database.read { db in
            // Erased customers are not listed: what a legal hold keeps is read by id only.
            let (conditions, arguments) = Self.conditions(filter)
            let total = try db.fetchValue(Int.self, "SELECT COUNT(*) FROM customer WHERE \(conditions)", arguments)!
            let records = try db.fetchCustomerRecords("SELECT * FROM customer WHERE \(conditions) ORDER BY id LIMIT ? OFFSET ?", arguments + [limit, offset])
            return (total, records, try db.privacyStates(for: records))
        }
        return (total, try await disclose(records, states: states, decide: decide))
    }

    /// The customers after `cursor` in id order (from the first when `nil`): a keyset page,
    /// which costs the same at any depth, where an `OFFSET` walks every row before it.
    /// - Returns: the disclosures and the id to continue after, `nil` at the end.
    public func page(after cursor: String?, limit: Int, filter: CustomerListFilter, decide: Decide) async throws -> (items: [Disclosure], next: String?) {
        let (records, states) = try await database.read { db in
            let (conditions, arguments) = Self.conditions(filter)
            let records = try db.fetchCustomerRecords(
                "SELECT * FROM customer WHERE \(conditions) AND id > ? ORDER BY id LIMIT ?", arguments + [cursor ?? "", limit])
            return (records, try db.privacyStates(for: records))
        }
        let next = records.count == limit ? records.last?.id : nil
        return (try await disclose(records, states: states, decide: decide), next)
    }

    /// The next customers after `cursor` (id order) that `purpose` may be used for now.
    ///
    /// For a consent purpose only customers with a given consent are candidates (an indexed
    /// read of `consent_state`), unless `consentRequired` says a jurisdiction lets it run on
    /// opt-out; every candidate still goes through the full decision.
    /// - Returns: the disclosures and the cursor to continue from, `nil` at the end.
    public func audience(
        purpose: Purpose, after cursor: String?, limit: Int, consentRequired: Bool?, decide: Decide
    ) async throws -> (items: [Disclosure], next: String?) {
        var items: [Disclosure] = []
        var after = cursor ?? ""
        let scan = max(limit, 100)
        while items.count < limit {
            let from = after
            let (records, states) = try await database.read { db in
                let records: [CustomerRecord]
                if consentRequired ?? (purpose.legalBasis == .consent) {
                    records = try db.fetchCustomerRecords("""
                            SELECT customer.* FROM consent_state JOIN customer ON customer.id = consent_state.customer_id
                            WHERE consent_state.purpose = ? AND consent_state.status = 'given' AND consent_state.customer_id > ?
                              AND customer.erased_at IS NULL
                            ORDER BY consent_state.customer_id LIMIT ?
                            """, [purpose.id, from, scan])
                } else {
                    records = try db.fetchCustomerRecords("SELECT * FROM customer WHERE id > ? AND erased_at IS NULL ORDER BY id LIMIT ?", [from, scan])
                }
                return (records, try db.privacyStates(for: records))
            }
            guard let last = records.last else { return (items, nil) }
            var eligible: [CustomerRecord] = []
            for record in records {
                guard items.count + eligible.count < limit else { break }
                after = record.id
                guard let state = states[record.id] else { continue }
                if decide(state, record.partyType).customerReason == nil { eligible.append(record) }
            }
            items += try await disclose(eligible, states: states, decide: decide)
            if records.count < scan && after == last.id { return (items, nil) }
        }
        return (items, after)
    }

    // MARK: Decrypting what the decision lets out

    private func disclose(_ records: [CustomerRecord], states: [String: CustomerPrivacyState], decide: Decide) async throws -> [Disclosure] {
        try await keys.withReload { keys in
            try records.compactMap { record in
                guard let state = states[record.id] else { return nil }
                let (type, status) = (record.partyType, record.status)
                let decision = decide(state, type)
                let disclosed = Set(decision.disclosed.map(\.field))
                var fields: [(path: StoredFieldPath, value: [UInt8])] = []
                if !disclosed.isEmpty {
                    let dataKey: DataKey
                    do { dataKey = try keys.dataKey(customerID: record.id, wrapped: Array(record.wrappedDek)) } catch CryptoError.unknownKeyVersion(let v) {
                        throw CryptoError.unknownKeyVersion(v)
                    } catch {
                        throw StoreError.undecryptable(customerID: record.id, field: "wrapped_dek")
                    }
                    for entry in try FieldVault(decoding: record.sealedFields).entries
                    where DisclosedCustomer.needsDecryption(entry.path, disclosed: disclosed) {
                        do { fields.append((entry.path, try dataKey.open(entry.ciphertext, owner: record.id, field: entry.path.rawValue))) } catch {
                            throw StoreError.undecryptable(customerID: record.id, field: entry.path.rawValue)
                        }
                    }
                }
                let customer = DisclosedCustomer(
                    id: record.id, externalId: record.externalId, partyType: type, status: status, version: record.version,
                    createdAt: record.createdAt, updatedAt: record.updatedAt, fields: fields)
                return Disclosure(customer: customer, decision: decision, state: state)
            }
        }
    }
}

