import ConsentryCore
import Foundation
import GRDB

/// Data-subject requests as filed. The table has no foreign key to customers: a request,
/// like the audit trail, outlives the erasure it asked for, and holds no personal value.
public struct DataSubjectRequestStore: Sendable {
    public let database: AppDatabase

    public init(database: AppDatabase) {
        self.database = database
    }

    /// Files `request` unless an open one of the same type (and purpose) exists. Requests
    /// that modules must hear of go through `ChangeJournal.file` instead.
    /// - Returns: the stored request, and whether it is an earlier duplicate instead.
    public func file(_ request: DataSubjectRequest) async throws -> (request: DataSubjectRequest, duplicate: Bool) {
        try await database.writer.write { db in
            if let existing = try Self.openDuplicate(of: request, db) { return (existing, true) }
            try Self.insert(request, db)
            return (request, false)
        }
    }

    static func openDuplicate(of request: DataSubjectRequest, _ db: Database) throws -> DataSubjectRequest? {
        try Self.fetch(db, sql: "SELECT * FROM data_subject_request WHERE customer_id = ? AND type = ? ORDER BY received_at",
                       arguments: [request.customerID, request.type.rawValue]).first(where: request.duplicates)
    }

    static func insert(_ request: DataSubjectRequest, _ db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO data_subject_request (id, customer_id, type, status, received_at, due_at, channel, filed_by, filed_by_id, purpose, fields)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                request.id, request.customerID, request.type.rawValue, request.status.rawValue, request.receivedAt, request.dueAt,
                request.channel, request.filedBy.rawValue, request.filedByID, request.purpose, request.fields.joined(separator: ","),
            ])
    }

    /// A customer's requests, newest first.
    public func requests(customerID: String) async throws -> [DataSubjectRequest] {
        try await database.writer.read { db in
            try Self.fetch(db, sql: "SELECT * FROM data_subject_request WHERE customer_id = ? ORDER BY received_at DESC, id", arguments: [customerID])
        }
    }

    static func fetch(_ db: Database, sql: String, arguments: StatementArguments) throws -> [DataSubjectRequest] {
        try Row.fetchAll(db, sql: sql, arguments: arguments).compactMap { row in
            guard let type = DataSubjectRequest.RequestType(rawValue: row["type"]), let status = DataSubjectRequest.Status(rawValue: row["status"]),
                let filedBy = DataSubjectRequest.FiledBy(rawValue: row["filed_by"])
            else { return nil }
            let fields: String = row["fields"]
            return DataSubjectRequest(
                id: row["id"], customerID: row["customer_id"], type: type, status: status, receivedAt: row["received_at"], dueAt: row["due_at"],
                channel: row["channel"], filedBy: filedBy, filedByID: row["filed_by_id"], purpose: row["purpose"],
                fields: fields.isEmpty ? [] : fields.split(separator: ",").map(String.init))
        }
    }
}
