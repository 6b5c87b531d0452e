import ConsentryRecords
import Foundation
import ConsentryStorage

/// Tombstones as rows.
extension ErasureTombstone {
    func insert(_ db: any StorageConnection) throws {
        try db.execute("INSERT INTO erasure_tombstone (customer_id, erased_at, request_id, erased_fields, held_fields, event_id, actor) VALUES (?, ?, ?, ?, ?, ?, ?)", [customerID, erasedAt, requestID, erasedFields.joined(separator: ","), Self.encode(held), eventID, actor])
    }

    static func fetch(customerID: String, _ db: any StorageConnection) throws -> ErasureTombstone? {
        try db.fetchOne("SELECT * FROM erasure_tombstone WHERE customer_id = ?", [customerID]).map { row in
            let erased: String = row["erased_fields"]
            return ErasureTombstone(
                customerID: row["customer_id"], erasedAt: row["erased_at"], requestID: row["request_id"],
                erasedFields: erased.isEmpty ? [] : erased.split(separator: ",").map(String.init), held: decode(row["held_fields"]),
                eventID: row["event_id"], actor: row["actor"])
        }
    }

    /// `field|category|purpose+purpose|until-unix` per hold, `;`-separated: ids and dates only.
    static func encode(_ held: [Held]) -> String {
        held.map { "\($0.field)|\($0.category)|\($0.purposes.joined(separator: "+"))|\(Int($0.until.timeIntervalSince1970))" }.joined(separator: ";")
    }

    static func decode(_ text: String) -> [Held] {
        text.split(separator: ";").compactMap { item in
            let parts = item.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 4, let seconds = TimeInterval(parts[3]) else { return nil }
            return Held(field: parts[0], category: parts[1], purposes: parts[2].split(separator: "+").map(String.init), until: Date(timeIntervalSince1970: seconds))
        }
    }
}

extension CustomerEraser {
    /// The tombstone of an erased customer, if any.
    public func tombstone(customerID: String) async throws -> ErasureTombstone? {
        try await database.read { db in try ErasureTombstone.fetch(customerID: customerID, db) }
    }
}
