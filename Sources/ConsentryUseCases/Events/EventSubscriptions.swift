public import ConsentryCore
public import ConsentryCrypto
public import ConsentryPolicy
public import ConsentryRecords
public import Foundation

/// A module's subscriptions to privacy events and its acknowledgements, whatever the surface
/// (the TMF hub today): a module hears only of purposes it holds, holds a bounded number of
/// subscriptions, sees and ends only its own, and acknowledges only events sent to it. The
/// callback's address is checked by the adapter that will connect to it.
public struct EventSubscriptions: Sendable {
    let hub: any EventSubscriptionRecords
    let requests: any RequestRecords
    let audit: any AuditTrail
    let policies: PolicyRegistry
    let keys: any WebhookSecrets
    let maxPerModule: Int

    public init(hub: any EventSubscriptionRecords, requests: any RequestRecords, audit: any AuditTrail, policies: PolicyRegistry, keys: any WebhookSecrets, maxPerModule: Int) {
        self.hub = hub
        self.requests = requests
        self.audit = audit
        self.policies = policies
        self.keys = keys
        self.maxPerModule = maxPerModule
    }

    /// - Returns: the subscription and the secret that signs its deliveries (shown once).
    /// - Throws: `UseCaseError` `.invalid` `validation_failed` for a bad query, `.forbidden`
    ///   (audited) for a purpose the module does not hold, `.conflict` `too_many_subscriptions`.
    public func subscribe(
        module: ModuleProfile, callback: String, query: String, requestID: String
    ) async throws -> (subscription: EventSubscription, secret: SecureBytes) {
        let filter: EventFilter
        do { filter = try EventFilter(query: query) } catch {
            throw UseCaseError(
                .invalid, code: "validation_failed", "query: \(error.message)",
                issues: [ValidationIssue(path: "query", code: "invalid_query", message: error.message)])
        }
        if let foreign = filter.purposes?.subtracting(module.purposes).sorted().first {
            try await record(module, .accessDenied, purpose: foreign, fields: ["operation:subscribe"], outcome: "denied",
                             reasons: [ReasonCode.purposeNotAllowedForModule.rawValue], requestID: requestID)
            throw UseCaseError.denied(.purposeNotAllowedForModule)
        }
        guard try await hub.subscriptions(moduleID: module.id).count < maxPerModule else {
            throw UseCaseError(.conflict, code: "too_many_subscriptions", "a module holds at most \(maxPerModule) subscriptions; end one first")
        }
        let subscription = try await hub.subscribe(moduleID: module.id, callback: callback, query: query)
        try await record(module, .subscriptionCreated, fields: ["subscription:\(subscription.id)"], requestID: requestID)
        return (subscription, try keys.webhookSecret(subscriptionID: subscription.id))
    }

    public func subscriptions(of module: ModuleProfile) async throws -> [EventSubscription] {
        try await hub.subscriptions(moduleID: module.id)
    }

    /// - Throws: `UseCaseError` `.notFound` for another module's subscription as for none.
    public func subscription(id: String, of module: ModuleProfile) async throws -> EventSubscription {
        guard let subscription = try await hub.subscription(id: id), subscription.moduleID == module.id else { throw Self.noSuchSubscription }
        return subscription
    }

    public func unsubscribe(id: String, of module: ModuleProfile, requestID: String) async throws {
        guard try await hub.unsubscribe(id: id, moduleID: module.id) else { throw Self.noSuchSubscription }
        try await record(module, .subscriptionDeleted, fields: ["subscription:\(id)"], requestID: requestID)
    }

    /// Records that the module acted on an event sent to it; the last acknowledgement an
    /// erasure request waited for completes the request.
    /// - Returns: when it was acknowledged, and whether that was now (not earlier).
    /// - Throws: `UseCaseError` `.notFound` for an event not sent to the module.
    public func acknowledge(eventID: String, by module: ModuleProfile, requestID: String) async throws -> (at: Date, now: Bool) {
        switch try await hub.acknowledge(eventID: eventID, moduleID: module.id, requestID: requestID, at: Date()) {
        case .unknownEvent:
            throw UseCaseError(.notFound, code: "not_found", "no event with this id was sent to you")
        case .alreadyRecorded(let at):
            return (at, false)
        case .recorded(let at):
            try await record(module, .eventAcknowledged, fields: ["event:\(eventID)"], requestID: requestID)
            if let completed = try await requests.completeIfAcknowledged(eventID: eventID, at: Date()) {
                try await audit.record(AuditEvent(
                    actor: AuditActor(.system, "events"), action: .requestStatus, customerID: completed.customerID,
                    fields: ["request:\(completed.id)", "from:awaiting_modules", "to:completed"], outcome: "succeeded",
                    policyVersion: policies.policy.version, requestID: requestID))
            }
            return (at, true)
        }
    }

    static let noSuchSubscription = UseCaseError(.notFound, code: "not_found", "no subscription of yours with this id")

    private func record(
        _ module: ModuleProfile, _ action: AuditAction, purpose: String? = nil, fields: [String], outcome: String = "succeeded",
        reasons: [String] = [], requestID: String
    ) async throws {
        try await audit.record(AuditEvent(
            actor: AuditActor(.module, module.id), action: action, purpose: purpose, fields: fields, outcome: outcome, reasons: reasons,
            policyVersion: policies.policy.version, requestID: requestID))
    }
}
