public import Foundation

/// Modules' subscriptions to privacy events, and their acknowledgements of events they
/// acted on.
public protocol EventSubscriptionRecords: Sendable {
    func subscribe(moduleID: String, callback: String, query: String) async throws -> EventSubscription
    /// Every subscription, or one module's.
    func subscriptions(moduleID: String?) async throws -> [EventSubscription]
    func subscription(id: String) async throws -> EventSubscription?
    /// - Returns: `false` when the module holds no subscription with this id.
    func unsubscribe(id: String, moduleID: String) async throws -> Bool
    /// Records that `moduleID` acted on event `eventID` (once; only an event queued for it).
    func acknowledge(eventID: String, moduleID: String, requestID: String?, at now: Date) async throws -> AcknowledgementResult
    /// The modules an event was queued for.
    func recipients(eventID: String) async throws -> [String]
}
