import ConsentryCore
import ConsentryCrypto
import Foundation
import ConsentryStorage
import ConsentryRecords

/// The customer rows the store types share, read in the caller's transaction: one place for
/// each query instead of static calls from one store type into another.
extension StorageConnection {
    /// Fetches customers, preserving the order of `ids`: one cached primary-key statement
    /// run per id, which is several times cheaper than compiling an `IN (...)` query for
    /// each call on the guarded read path (measured with Benchmarks/api.sh).
    func customerRecords(ids: [String]) throws -> [CustomerRecord] {
        guard !ids.isEmpty else { return [] }
        return try ids.compactMap { id in try fetchOne("SELECT * FROM customer WHERE id = ?", [id]).map { try CustomerRecord(row: $0) } }
    }

    func customerIDs(forExternalIDs externalIDs: [String]) throws -> [String: String] {
        guard !externalIDs.isEmpty else { return [:] }
        let rows = try fetchAll("SELECT id, external_id FROM customer WHERE external_id IN (\(placeholders(externalIDs.count)))", externalIDs)
        return Dictionary(rows.map { (row: SQLRow) in (row["external_id"] as String, row["id"] as String) }, uniquingKeysWith: { a, _ in a })
    }

    /// The privacy state of each customer row, read in the caller's transaction.
    func privacyStates(for records: [CustomerRecord]) throws -> [String: CustomerPrivacyState] {
        guard !records.isEmpty else { return [:] }
        var states: [String: CustomerPrivacyState] = [:]
        for record in records {
            states[record.id] = CustomerPrivacyState(
                customerID: record.id, status: record.status, createdAt: record.createdAt,
                relationshipEndedAt: record.relationshipEndedAt, erasedAt: record.erasedAt, residence: record.residence)
        }
        // One statement per customer for consents, objections and the restriction (a row with
        // no purpose): one round trip on PostgreSQL, one cached statement on SQLite.
        for record in records {
            let id = record.id
            let rows = try fetchAll(
                """
                SELECT purpose, status, since, expires_at, notice_version, objection FROM consent_state WHERE customer_id = ?1
                UNION ALL SELECT NULL, NULL, since, NULL, NULL, 0 FROM processing_restriction WHERE customer_id = ?1
                """, [id])
            for row in rows {
                guard let purpose: String = row["purpose"] else {
                    states[id]?.restricted = true
                    continue
                }
                if let right = OptOutRight(stateKey: purpose) {
                    if row["status"] as String? == "opted_out" { states[id]?.optOuts.insert(right) }
                    continue
                }
                if let status = (row["status"] as String?).flatMap(ConsentStatus.init(rawValue:)), let since: Date = row["since"] {
                    states[id]?.consents[purpose] = ConsentState(status: status, since: since, expiresAt: row["expires_at"], noticeVersion: row["notice_version"])
                }
                if row["objection"] as Bool { states[id]?.objections.insert(purpose) }
            }
        }
        return states
    }
}

extension CustomerRecord {
    /// Unwraps the customer's DEK and decrypts every field.
    func open(keys: KeyManager) throws -> Customer {
        let plain = try open(keys: keys) { _ in true }
        let profile = try PersonalFieldCodec.decode(partyType: partyType, fields: plain)
        return Customer(
            id: id, externalId: externalId, status: status, version: version,
            createdAt: createdAt, updatedAt: updatedAt, profile: profile)
    }

    /// Decrypts only the stored fields `wanted` selects.
    func open(keys: KeyManager, only wanted: (StoredFieldPath) -> Bool) throws -> [StoredFieldPath: [UInt8]] {
        let dataKey: DataKey
        do { dataKey = try keys.dataKey(customerID: id, wrapped: Array(wrappedDek)) } catch CryptoError.unknownKeyVersion(let version) {
            throw CryptoError.unknownKeyVersion(version)
        } catch {
            throw StoreError.undecryptable(customerID: id, field: "wrapped_dek")
        }
        var plain: [StoredFieldPath: [UInt8]] = [:]
        for field in try FieldVault(decoding: sealedFields).entries where wanted(field.path) {
            do { plain[field.path] = try dataKey.open(field.ciphertext, owner: id, field: field.path.rawValue) } catch {
                throw StoreError.undecryptable(customerID: id, field: field.path.rawValue)
            }
        }
        return plain
    }
}
