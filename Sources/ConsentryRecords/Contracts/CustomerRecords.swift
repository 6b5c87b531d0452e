public import ConsentryCore

/// The customers themselves, sealed field by field: what a use case reads whole (a signed-in
/// customer, a record to correct) and onboards. Guarded reads for modules go through
/// `CustomerDisclosures`, which decrypts only what a decision lets out.
public protocol CustomerRecords: Sendable {
    /// The customer, decrypted; `nil` for an unknown or erased one.
    func customer(id: String) async throws -> Customer?
    /// The customers whose guardian index matches `guardianID`. The index is truncated, so
    /// callers confirm each match on the decrypted record.
    func customers(guardedBy guardianID: String) async throws -> [Customer]

    /// Validates, seals, indexes and stores a new customer.
    /// - Throws: `ValidationError`; `StoreError` `duplicate_login_subject`, `duplicate_external_id`.
    func create(_ draft: CustomerDraft) async throws -> Customer
}
