import ConsentryCore
import ConsentryRecords

extension EventHub {
    /// Puts the dead letters of one subscription (or all) back in the queue, due now, wakes
    /// the deliverer, and records who did it. - Returns: how many went back.
    public func requeueDead(
        subscriptionID: String?, outbox: EventOutbox, audit: AuditLog, actor: AuditActor, policyVersion: String, requestID: String
    ) async throws -> Int {
        let count = try await requeueDead(subscriptionID: subscriptionID)
        if count > 0 { outbox.signal.signal() }
        try await audit.record(AuditEvent(
            actor: actor, action: .eventsRequeued, fields: ["count:\(count)"] + (subscriptionID.map { ["subscription:\($0)"] } ?? []),
            outcome: "succeeded", policyVersion: policyVersion, requestID: requestID))
        return count
    }
}
