import ConsentryCore
import ConsentryCrypto
import ConsentryRecords
import Foundation

// The store implements the records contract the use cases are written against
// (ConsentryRecords), on either storage engine.

extension EncryptedCustomerStore: CustomerRecords {
    public func customers(guardedBy guardianID: String) async throws -> [Customer] {
        try await customers(where: .guardian, equals: guardianID)
    }
}
extension GuardedCustomerReader: CustomerDisclosures {}
extension ConsentLedger: ConsentRecords {}
extension AuditLog: AuditTrail {}
extension ChangeJournal: PrivacyChangeJournal {}
extension DataSubjectRequestStore: RequestRecords {}
extension EventHub: EventSubscriptionRecords {}
extension ComplianceReports: ComplianceReportSource {}

extension CustomerEraser: CustomerErasure {
    public func erase(
        customerID: String, requestID: String?, actor: AuditActor, policy: Policy, now: Date, correlationID: String?
    ) async throws -> ErasureResult {
        try await erase(customerID: customerID, requestID: requestID, actor: actor, policy: policy, now: now, correlationID: correlationID, reapplying: false)
    }
}

extension KeyProvider: WebhookSecrets {
    public func webhookSecret(subscriptionID: String) throws -> SecureBytes {
        try current.webhookSecret(subscriptionID: subscriptionID)
    }
}
