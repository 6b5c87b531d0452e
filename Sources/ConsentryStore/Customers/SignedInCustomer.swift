import ConsentryCore
import ConsentryCrypto
import Foundation
import ConsentryStorage
import ConsentryRecords

/// A customer signed in through self-service. Found through the login-subject blind index
/// and confirmed by decrypting the login subject alone; the rest of the customer is decrypted
/// only as a route needs it: all of it to show or correct the profile, three fields to
/// record a consent (`ConsentSubject`).
public struct SignedInCustomer: Sendable {
    public var id: String { record.id }
    public var partyType: PartyType { record.partyType }
    /// Where the customer lives (a region code and a declared jurisdiction), nothing decrypted.
    public var residence: Residence { record.residence }
    let record: CustomerRecord
    let keys: KeyProvider

    /// The whole customer, decrypted.
    public func customer() async throws -> Customer {
        try await keys.withReload { keys in try record.open(keys: keys) }
    }

    /// What consent needs: birth date, preferred language and guardians, nothing else decrypted.
    public func consentSubject() async throws -> ConsentSubject {
        let fields = try await keys.withReload { keys in
            try record.open(keys: keys) { path in
                ["engagedParty.birthDate", "engagedParty.preferredLanguage"].contains(path.rawValue) || path.isItem(of: "relatedParty")
            }
        }
        let text = { (path: String) in fields[StoredFieldPath(rawValue: path)].map { String(decoding: $0, as: UTF8.self) } }
        let related = try fields.filter { $0.key.isItem(of: "relatedParty") }.map { entry in
            do { return try JSONDecoder().decode(RelatedParty.self, from: Data(entry.value)) } catch {
                throw StoreError.undecryptable(customerID: record.id, field: entry.key.rawValue)
            }
        }
        return ConsentSubject(
            customerID: record.id, partyType: record.partyType, preferredLanguage: text("engagedParty.preferredLanguage"),
            birthDate: record.partyType == .individual ? text("engagedParty.birthDate") : nil,
            guardianIDs: RelatedParty.guardianIDs(in: related), residence: record.residence)
    }
}

extension EncryptedCustomerStore {
    /// The customer whose login subject is `subject`, if exactly one is.
    public func signIn(subject: String) async throws -> SignedInCustomer? {
        let normalized = BlindIndexField.loginSubject.normalize(subject)
        let digest = Data(try keys.current.digest(.loginSubject, normalizedValue: normalized))
        let rows = try await database.read { db in
            let ids = try db.fetchColumn(String.self, "SELECT customer_id FROM blind_index WHERE field = ? AND digest = ?", [BlindIndexField.loginSubject.rawValue, digest])
            return try db.customerRecords(ids: ids).filter { $0.erasedAt == nil }
        }
        // Truncated digests collide by design: confirm by decrypting the login subject alone.
        let matching = try await keys.withReload { keys in
            try rows.filter { row in
                let fields = try row.open(keys: keys) { $0.rawValue == "loginSubject" }
                return fields[StoredFieldPath(rawValue: "loginSubject")].map { BlindIndexField.loginSubject.normalize(String(decoding: $0, as: UTF8.self)) } == normalized
            }
        }
        guard matching.count == 1 else { return nil }
        return SignedInCustomer(record: matching[0], keys: keys)
    }
}

extension EncryptedCustomerStore {
    /// The customer `id` as signed in to a web session: `nil` once erased.
    public func signedIn(id: String) async throws -> SignedInCustomer? {
        let rows = try await database.read { db in try db.customerRecords(ids: [id]).filter { $0.erasedAt == nil } }
        return rows.first.map { SignedInCustomer(record: $0, keys: keys) }
    }
}
