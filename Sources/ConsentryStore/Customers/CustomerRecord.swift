import ConsentryCore
import Foundation
import GRDB

/// A row of `customer`: the plain administrative columns, the wrapped DEK and the sealed fields.
struct CustomerRecord: Codable, FetchableRecord, TableRecord, Sendable {
    static let databaseTableName = "customer"

    var id: String
    var externalId: String?
    var partyType: String
    var status: String
    var version: Int
    var createdAt: Date
    var updatedAt: Date
    var wrappedDek: Data
    var kekVersion: Int
    var sealedFields: Data
    var relationshipEndedAt: Date?
    /// Set by erasure: only fields under a legal hold remain, under a new data key.
    var erasedAt: Date?

    enum CodingKeys: String, CodingKey {
        case id, status, version
        case externalId = "external_id"
        case partyType = "party_type"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
        case wrappedDek = "wrapped_dek"
        case kekVersion = "kek_version"
        case sealedFields = "sealed_fields"
        case relationshipEndedAt = "relationship_ended_at"
        case erasedAt = "erased_at"
    }

    enum Columns {
        static let id = Column(CodingKeys.id)
        static let externalId = Column(CodingKeys.externalId)
    }
}

extension CustomerRecord {
    /// Reads the columns by position-independent name without the Codable machinery, which
    /// costs more than the query itself on the read path.
    init(row: Row) throws {
        id = row["id"]
        externalId = row["external_id"]
        partyType = row["party_type"]
        status = row["status"]
        version = row["version"]
        createdAt = row["created_at"]
        updatedAt = row["updated_at"]
        wrappedDek = row["wrapped_dek"]
        kekVersion = row["kek_version"]
        sealedFields = row["sealed_fields"]
        relationshipEndedAt = row["relationship_ended_at"]
        erasedAt = row["erased_at"]
    }
}

/// A row of `blind_index`: a truncated keyed digest pointing at a candidate customer.
struct BlindIndexRecord: Sendable {
    var field: String
    var digest: Data
    var customerId: String
}
