public import ConsentryCore
public import Foundation

/// Cryptographic erasure (GDPR Art. 17): legal holds re-sealed, the customer's data key
/// destroyed, indexes purged, a tombstone, and the event modules must act on.
public protocol CustomerErasure: Sendable {
    /// - Throws: `StoreError` `not_found` for an unknown customer.
    func erase(customerID: String, requestID: String?, actor: AuditActor, policy: Policy, now: Date, correlationID: String?) async throws -> ErasureResult
}
