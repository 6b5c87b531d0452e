import ConsentryCore
import Foundation
import ConsentryStorage
import ConsentryRecords

/// The one write path for changes modules must hear of: consents, objections, restrictions,
/// rectifications and erasure requests. Each change, its audit entries and its outbox
/// events commit in one transaction, batched with concurrent changes (see
/// `AuditLog.commit`). The events are derived here from the change itself, so no caller can
/// record a change and forget to announce it.
public struct ChangeJournal: Sendable {
    public let audit: AuditLog
    public let outbox: EventOutbox
    /// The policy in force, read at each commit: it decides which modules may see an event.
    private let policy: @Sendable () -> Policy

    public init(audit: AuditLog, outbox: EventOutbox, policy: @escaping @Sendable () -> Policy) {
        self.audit = audit
        self.outbox = outbox
        self.policy = policy
    }

    /// Records a consent, objection or restriction event (with its signed receipt, if any).
    /// - Throws: `StoreError` for an unknown customer; nothing is written then.
    public func record(_ change: ConsentEvent, receipt: StoredReceipt? = nil, audit entries: [AuditEvent], correlationID: String?) async throws {
        let event = PrivacyEvent(announcing: change, correlationID: correlationID)
        _ = try await commit(entries, announcing: [event]) { db in
            let id = try db.recordConsentEvent(change).id
            if let receipt {
                try db.execute(
                    "INSERT INTO consent_receipt (id, customer_id, event_id, purpose, issued_at, jws) VALUES (?, ?, ?, ?, ?, ?)",
                    [receipt.id, change.customerID, id, change.purpose, receipt.issuedAt, receipt.jws])
            }
            return id
        }
    }

    /// Records history imported from another system, with its audit entries, in one
    /// transaction; an event that becomes the current state is announced like a live change
    /// (an older one only joins the history).
    /// - Returns: how many events were recorded (one already present is skipped).
    public func recordImported(_ events: [ConsentEvent], audit entries: [AuditEvent], correlationID: String?) async throws -> Int {
        let outbox = self.outbox
        let policy = self.policy
        return try await audit.commit(entries) { db in
            var recorded = 0
            var announced: [PrivacyEvent] = []
            for event in events {
                if try db.hasConsentEvent(customerID: event.customerID, purpose: event.purpose, kind: event.kind, at: event.occurredAt) { continue }
                if try db.recordConsentEvent(event).current { announced.append(PrivacyEvent(announcing: event, correlationID: correlationID)) }
                recorded += 1
            }
            try outbox.append(announced, policy: policy(), db)
            return recorded
        }
    }

    /// Writes a prepared customer update and announces the changed fields (names only).
    /// - Throws: `StoreError.versionConflict()` or `StoreError.notFound()`.
    public func rectify(
        _ update: EncryptedCustomerStore.PreparedUpdate, changedFields: [String], audit entries: [AuditEvent], correlationID: String?
    ) async throws -> Customer {
        let event = PrivacyEvent(
            type: .rectification, customerID: update.customerID, state: "rectified", fields: changedFields, occurredAt: update.timestamp,
            correlationID: correlationID)
        return try await commit(entries, announcing: changedFields.isEmpty ? [] : [event]) { db in try update.apply(db) }
    }

    /// Files a data-subject request. An erasure request is announced to every module once
    /// the requester's identity is verified (here, when the filer verified it): modules are
    /// not asked to act on a request anyone could have filed.
    /// - Returns: the stored request, and whether an open duplicate was returned instead.
    public func file(_ request: DataSubjectRequest, audit entries: [AuditEvent], correlationID: String?) async throws -> (request: DataSubjectRequest, duplicate: Bool) {
        let event = PrivacyEvent(announcingErasure: request, correlationID: correlationID)
        // A duplicate files nothing, so it must neither announce nor audit a filing: decide in the transaction.
        let duplicate = try await database.read { db in try db.openDuplicateRequest(of: request) }
        if let duplicate { return (duplicate, true) }
        let outbox = self.outbox
        let policy = self.policy
        return try await audit.commit(entries) { db in
            if let existing = try db.openDuplicateRequest(of: request) { return (existing, true) }
            try db.insertRequest(request)
            if request.type == .erasure, request.status == .identityVerified { try outbox.append([event], policy: policy(), db) }
            return (request, false)
        }
    }

    /// Changes a stored request with `change`, under a row lock, with its audit entries; an
    /// erasure request whose identity `change` verifies is announced to every module.
    /// - Throws: `StoreError` `not_found`, `stale_request` when its status is no longer
    ///   `expected` (another officer moved it meanwhile), or what `change` throws.
    public func advance(
        requestID: String, expected: DataSubjectRequest.Status, audit entries: [AuditEvent], correlationID: String?,
        _ change: @escaping @Sendable (inout DataSubjectRequest) throws -> Void
    ) async throws -> DataSubjectRequest {
        let outbox = self.outbox
        let policy = self.policy
        return try await audit.commit(entries) { db in
            guard var request = try db.requestForUpdate(id: requestID) else {
                throw StoreError(code: .notFound, message: "no request with this id")
            }
            guard request.status == expected else {
                throw StoreError(code: .staleRequest, message: "the request is \(request.status.rawValue) now; read it again")
            }
            try change(&request)
            try db.saveRequest(request)
            if request.type == .erasure, expected == .received, request.status == .identityVerified {
                try outbox.append([PrivacyEvent(announcingErasure: request, correlationID: correlationID)], policy: policy(), db)
            }
            return request
        }
    }

    private var database: AppDatabase { outbox.database }

    /// Runs `change` with its audit entries and events in one batched transaction.
    func commit<T: Sendable>(_ entries: [AuditEvent], announcing events: [PrivacyEvent], _ change: @escaping @Sendable (any StorageConnection) throws -> T) async throws -> T {
        let outbox = self.outbox
        let policy = self.policy
        return try await audit.commit(entries) { db in
            let result = try change(db)
            try outbox.append(events, policy: policy(), db)
            return result
        }
    }
}
