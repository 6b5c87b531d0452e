public import ConsentryCore

/// The one write path for the changes modules must hear of: each change, its audit entries
/// and the event derived from it commit together, so none is recorded unannounced.
public protocol PrivacyChangeJournal: Sendable {
    /// Records a consent, objection or restriction event, with its signed receipt if any.
    /// - Throws: `StoreError` for an unknown customer; nothing is written then.
    func record(_ change: ConsentEvent, receipt: StoredReceipt?, audit: [AuditEvent], correlationID: String?) async throws

    /// Files a data-subject request unless an open one of the same type (and purpose) exists;
    /// an erasure request whose identity is verified is announced.
    /// - Returns: the stored request, and whether an earlier open duplicate was returned.
    func file(_ request: DataSubjectRequest, audit: [AuditEvent], correlationID: String?) async throws -> (request: DataSubjectRequest, duplicate: Bool)

    /// Changes a request under its row lock, if it is still in status `expected`.
    /// - Throws: what `change` throws; `StoreError` `stale_request` when it moved meanwhile.
    func advance(
        requestID: String, expected: DataSubjectRequest.Status, audit: [AuditEvent], correlationID: String?,
        _ change: @escaping @Sendable (inout DataSubjectRequest) throws -> Void
    ) async throws -> DataSubjectRequest
}
