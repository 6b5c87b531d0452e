import ConsentryCore
import ConsentryCrypto
import ConsentryRecords
import ConsentryUseCases
import Foundation
import Synchronization

/// The records contract in memory, for unit tests of the use cases: no database, no
/// engine, no crypto. What a use case wrote is inspected directly.
final class InMemoryRecords: PrivacyChangeJournal, RequestRecords, CustomerErasure, EventSubscriptionRecords, AuditTrail, ConsentReceiptSigning, WebhookSecrets {
    struct State {
        var requests: [String: DataSubjectRequest] = [:]
        var consentEvents: [ConsentEvent] = []
        var receipts: [StoredReceipt] = []
        var audit: [AuditEvent] = []
        var erased: [String] = []
        var subscriptions: [EventSubscription] = []
        /// The modules each erasure event goes to.
        var recipientsOfErasures: [String] = []
    }

    let state = Mutex(State())

    // MARK: PrivacyChangeJournal

    func record(_ change: ConsentEvent, receipt: StoredReceipt?, audit: [AuditEvent], correlationID: String?) async throws {
        state.withLock {
            $0.consentEvents.append(change)
            if let receipt { $0.receipts.append(receipt) }
            $0.audit += audit
        }
    }

    func file(_ request: DataSubjectRequest, audit: [AuditEvent], correlationID: String?) async throws -> (request: DataSubjectRequest, duplicate: Bool) {
        state.withLock {
            if let open = $0.requests.values.first(where: { $0.customerID == request.customerID && $0.type == request.type && $0.status.isOpen }) {
                return (open, true)
            }
            $0.requests[request.id] = request
            $0.audit += audit
            return (request, false)
        }
    }

    func advance(
        requestID: String, expected: DataSubjectRequest.Status, audit: [AuditEvent], correlationID: String?,
        _ change: @escaping @Sendable (inout DataSubjectRequest) throws -> Void
    ) async throws -> DataSubjectRequest {
        try state.withLock {
            guard var request = $0.requests[requestID] else { throw StoreError(code: .notFound, message: "no request") }
            guard request.status == expected else { throw StoreError(code: .staleRequest, message: "moved meanwhile") }
            try change(&request)
            $0.requests[requestID] = request
            $0.audit += audit
            return request
        }
    }

    // MARK: RequestRecords

    func request(id: String) async throws -> DataSubjectRequest? { state.withLock { $0.requests[id] } }

    func completeIfAcknowledged(eventID: String, at now: Date) async throws -> DataSubjectRequest? { nil }

    // MARK: CustomerErasure

    func erase(customerID: String, requestID: String?, actor: AuditActor, policy: Policy, now: Date, correlationID: String?) async throws -> ErasureResult {
        state.withLock { $0.erased.append(customerID) }
        let tombstone = ErasureTombstone(
            customerID: customerID, erasedAt: now, requestID: requestID, erasedFields: ["contactMedium.email"], held: [],
            eventID: "event-\(customerID)", actor: actor.description)
        return ErasureResult(tombstone: tombstone, erasedNow: true)
    }

    // MARK: EventSubscriptionRecords

    func subscribe(moduleID: String, callback: String, query: String) async throws -> EventSubscription {
        let subscription = EventSubscription(id: UUID().uuidString, moduleID: moduleID, callback: callback, query: query, createdAt: Date())
        state.withLock { $0.subscriptions.append(subscription) }
        return subscription
    }

    func subscriptions(moduleID: String?) async throws -> [EventSubscription] {
        state.withLock { $0.subscriptions.filter { moduleID == nil || $0.moduleID == moduleID } }
    }

    func subscription(id: String) async throws -> EventSubscription? { state.withLock { $0.subscriptions.first { $0.id == id } } }

    func unsubscribe(id: String, moduleID: String) async throws -> Bool {
        state.withLock {
            let before = $0.subscriptions.count
            $0.subscriptions.removeAll { $0.id == id && $0.moduleID == moduleID }
            return $0.subscriptions.count < before
        }
    }

    func acknowledge(eventID: String, moduleID: String, requestID: String?, at now: Date) async throws -> AcknowledgementResult { .unknownEvent }

    func recipients(eventID: String) async throws -> [String] { state.withLock { $0.recipientsOfErasures } }

    // MARK: AuditTrail, receipts, secrets

    func record(_ events: [AuditEvent]) async throws { state.withLock { $0.audit += events } }

    func sign(_ receipt: ConsentReceipt) async throws -> String { "header.\(receipt.consentReceiptID).signature" }

    func webhookSecret(subscriptionID: String) throws -> SecureBytes { SecureBytes(copying: Data(repeating: 7, count: 32)) }
}
