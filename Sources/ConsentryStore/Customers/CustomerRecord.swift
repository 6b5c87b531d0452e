import ConsentryCore
import Foundation
import ConsentryStorage
import ConsentryRecords

/// A row of `customer`: the plain administrative columns, the wrapped DEK and the sealed fields.
struct CustomerRecord: Sendable {
    var id: String
    var externalId: String?
    var partyType: PartyType
    var status: CustomerStatus
    var version: Int
    var createdAt: Date
    var updatedAt: Date
    var wrappedDek: Data
    var kekVersion: Int
    var sealedFields: Data
    var relationshipEndedAt: Date?
    /// Set by erasure: only fields under a legal hold remain, under a new data key.
    var erasedAt: Date?
    /// Where the customer lives (`Residence`), kept in clear for decisions: a region code and a
    /// jurisdiction id, never the address.
    var residence: Residence
}

extension CustomerRecord {
    /// Reads the columns by position-independent name without the Codable machinery, which
    /// costs more than the query itself on the read path.
    /// - Throws: `StoreError` `corrupt_record` for a party type or status this version does not know.
    init(row: SQLRow) throws {
        id = row["id"]
        externalId = row["external_id"]
        guard let partyType = PartyType(rawValue: row["party_type"]), let status = CustomerStatus(rawValue: row["status"]) else {
            throw StoreError(code: .corruptRecord, message: "customer \(row["id"] as String) has an unknown party type or status")
        }
        self.partyType = partyType
        self.status = status
        version = row["version"]
        createdAt = row["created_at"]
        updatedAt = row["updated_at"]
        wrappedDek = row["wrapped_dek"]
        kekVersion = row["kek_version"]
        sealedFields = row["sealed_fields"]
        relationshipEndedAt = row["relationship_ended_at"]
        erasedAt = row["erased_at"]
        residence = Residence(declared: row["declared_jurisdiction"], region: row["residence"])
    }
}

/// A row of `blind_index`: a truncated keyed digest pointing at a candidate customer.
struct BlindIndexRecord: Sendable {
    var field: String
    var digest: Data
    var customerId: String

    static let insert = "INSERT INTO blind_index (field, digest, customer_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING"
}

extension StorageConnection {
    func fetchCustomerRecords(_ sql: String, _ arguments: [(any SQLValueConvertible)?] = []) throws -> [CustomerRecord] {
        try fetchAll(sql, arguments).map { try CustomerRecord(row: $0) }
    }
}
