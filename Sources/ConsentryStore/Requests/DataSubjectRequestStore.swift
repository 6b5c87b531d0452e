import ConsentryCore
import Foundation
import ConsentryStorage

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
        try await database.write { db in
            if let existing = try db.openDuplicateRequest(of: request) { return (existing, true) }
            try db.insertRequest(request)
            return (request, false)
        }
    }

    /// A customer's requests, newest first.
    public func requests(customerID: String) async throws -> [DataSubjectRequest] {
        try await database.read { db in
            try db.dataSubjectRequests(sql: "SELECT * FROM data_subject_request WHERE customer_id = ? ORDER BY received_at DESC, id", [customerID])
        }
    }

    /// One request by id.
    public func request(id: String) async throws -> DataSubjectRequest? {
        try await database.read { db in try db.dataSubjectRequests(sql: "SELECT * FROM data_subject_request WHERE id = ?", [id]).first }
    }

    /// Requests for officers, by due date: filtered by status, type, and overdue at `now`.
    public func list(
        status: DataSubjectRequest.Status? = nil, type: DataSubjectRequest.RequestType? = nil, overdueAt now: Date? = nil, offset: Int = 0, limit: Int = 50
    ) async throws -> (total: Int, page: [DataSubjectRequest]) {
        try await database.read { db in
            var conditions: [String] = []
            var arguments: [(any SQLValueConvertible)?] = []
            if let status {
                conditions.append("status = ?")
                arguments.append(status.rawValue)
            }
            if let type {
                conditions.append("type = ?")
                arguments.append(type.rawValue)
            }
            if let now {
                conditions.append("status NOT IN ('completed', 'rejected', 'cancelled') AND due_at < ?")
                arguments.append(now)
            }
            let filter = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
            let total = try db.fetchValue(Int.self, "SELECT COUNT(*) FROM data_subject_request" + filter, arguments) ?? 0
            let page = try db.dataSubjectRequests(
                sql: "SELECT * FROM data_subject_request\(filter) ORDER BY due_at, id LIMIT ? OFFSET ?", arguments + [limit, offset])
            return (total, page)
        }
    }

    /// Stores an officer's change to a request.
    public func save(_ request: DataSubjectRequest) async throws {
        try await database.write { db in try db.saveRequest(request) }
    }

    /// Completes the erasure request waiting on `eventID` once every module it was sent to
    /// has acknowledged it.
    /// - Returns: the completed request, if this acknowledgement completed one.
    public func completeIfAcknowledged(eventID: String, at now: Date = Date()) async throws -> DataSubjectRequest? {
        try await database.write { db in
            guard var request = try db.dataSubjectRequests(
                sql: "SELECT * FROM data_subject_request WHERE erasure_event_id = ? AND status = 'awaiting_modules'", [eventID]
            ).first else { return nil }
            let waiting = try db.fetchValue(Int.self, """
                    SELECT COUNT(DISTINCT s.module_id) FROM event_outbox o JOIN event_delivery d ON d.event_seq = o.seq
                    JOIN event_subscription s ON s.id = d.subscription_id
                    WHERE o.event_id = ? AND s.module_id NOT IN (SELECT module_id FROM event_acknowledgement WHERE event_id = ?)
                    """, [eventID, eventID]) ?? 0
            guard waiting == 0 else { return nil }
            try request.move(to: .completed, reason: "every module acknowledged the erasure", at: now)
            try db.saveRequest(request)
            return request
        }
    }
}

/// Data-subject request rows, in the caller's transaction (the change journal composes them
/// with audit entries and announcements).
extension StorageConnection {
    func openDuplicateRequest(of request: DataSubjectRequest) throws -> DataSubjectRequest? {
        try dataSubjectRequests(sql: "SELECT * FROM data_subject_request WHERE customer_id = ? AND type = ? ORDER BY received_at", [request.customerID, request.type.rawValue]).first(where: request.duplicates)
    }

    func insertRequest(_ request: DataSubjectRequest) throws {
        try execute("""
                INSERT INTO data_subject_request (id, customer_id, type, status, received_at, due_at, channel, filed_by, filed_by_id, purpose, fields, handled_by, verified_by,
                    jurisdiction, deadline, extension)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, [
                request.id, request.customerID, request.type.rawValue, request.status.rawValue, request.receivedAt, request.dueAt,
                request.channel, request.filedBy.rawValue, request.filedByID, request.purpose, request.fields.joined(separator: ","), request.handledBy,
                request.verifiedBy, request.jurisdiction, request.deadline.period.description, request.deadline.extensionLimit?.description,
            ])
    }

    func saveRequest(_ request: DataSubjectRequest) throws {
        try execute("""
                UPDATE data_subject_request SET status = ?, due_at = ?, extended_by_months = ?, extended_by = ?, extension_reason = ?, handled_by = ?,
                    closed_at = ?, closing_reason = ?, erasure_event_id = ?, verified_by = ? WHERE id = ?
                """, [
                request.status.rawValue, request.dueAt, request.extendedByMonths, request.extendedBy?.description, request.extensionReason, request.handledBy,
                request.closedAt, request.closingReason, request.erasureEventID, request.verifiedBy, request.id,
            ])
    }

    /// The request `id`, locked until the transaction ends (PostgreSQL: `FOR UPDATE`), so two
    /// officers moving it at once take turns.
    func requestForUpdate(id: String) throws -> DataSubjectRequest? {
        try dataSubjectRequests(sql: "SELECT * FROM data_subject_request WHERE id = ?\(dialect.forUpdate)", [id]).first
    }

    func dataSubjectRequests(sql: String, _ arguments: [(any SQLValueConvertible)?]) throws -> [DataSubjectRequest] {
        try fetchAll(sql, arguments).compactMap { row in
            guard let type = DataSubjectRequest.RequestType(rawValue: row["type"]), let status = DataSubjectRequest.Status(rawValue: row["status"]),
                let filedBy = DataSubjectRequest.FiledBy(rawValue: row["filed_by"])
            else { return nil }
            let fields: String = row["fields"]
            // Requests filed before jurisdictions existed ran under GDPR Art. 12(3).
            let deadline = (row["deadline"] as String?).flatMap(ISODuration.init).map { period in
                Jurisdiction.Deadline(period: period, extensionLimit: (row["extension"] as String?).flatMap(ISODuration.init))
            } ?? .gdpr
            var request = DataSubjectRequest(
                id: row["id"], customerID: row["customer_id"], type: type, status: status, receivedAt: row["received_at"], dueAt: row["due_at"],
                channel: row["channel"], filedBy: filedBy, filedByID: row["filed_by_id"], purpose: row["purpose"],
                fields: fields.isEmpty ? [] : fields.split(separator: ",").map(String.init),
                jurisdiction: row["jurisdiction"] ?? Jurisdiction.gdprDefault.id, deadline: deadline)
            request.extendedByMonths = row["extended_by_months"] ?? 0
            request.extendedBy = (row["extended_by"] as String?).flatMap(ISODuration.init)
                ?? (request.extendedByMonths > 0 ? ISODuration(months: request.extendedByMonths) : nil)
            request.extensionReason = row["extension_reason"]
            request.handledBy = row["handled_by"]
            request.closedAt = row["closed_at"]
            request.closingReason = row["closing_reason"]
            request.erasureEventID = row["erasure_event_id"]
            request.verifiedBy = row["verified_by"]
            return request
        }
    }
}
