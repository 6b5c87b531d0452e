public import ConsentryCore

/// Corrections of a stored customer (GDPR Art. 16): the new values sealed and indexed, the
/// audit entries and the rectification event modules hear of, in one transaction.
public protocol CustomerCorrections: Sendable {
    /// - Parameters:
    ///   - expectedVersion: the version the caller read; a customer changed since is refused.
    ///   - changedFields: the policy fields that differ, announced by name only.
    /// - Throws: `ValidationError`; `StoreError` `version_conflict` or `not_found`.
    func correct(
        id: String, expectedVersion: Int, to draft: CustomerDraft, changedFields: [String], audit: [AuditEvent], correlationID: String?
    ) async throws -> Customer
}
