import Foundation
import ConsentryRecords

/// Where the deliveries of one subscription stand, for the operator.
public struct SubscriptionHealth: Sendable, Equatable {
    public var subscription: EventSubscription
    public var pending: Int
    public var delivered: Int
    public var dead: Int
    /// Events the module acknowledged having acted on.
    public var acknowledged: Int
    public var oldestPendingSince: Date?
    public var lastResult: String?
}

/// One event-to-subscriber delivery as the operator sees it. No customer data: the event is
/// named by id and type.
public struct DeliveryRecord: Sendable, Equatable {
    public enum Status: String, Sendable, CaseIterable {
        case pending, delivered, dead
    }

    public var eventSeq: Int64
    public var eventID: String
    public var eventType: String
    public var subscriptionID: String
    public var moduleID: String
    public var status: Status
    public var attempts: Int
    public var nextAttemptAt: Date?
    public var lastAttemptAt: Date?
    public var lastResult: String?
    public var deliveredAt: Date?
    public var acknowledgedAt: Date?
}

/// A delivery the deliverer has claimed: what to POST where.
public struct ClaimedDelivery: Sendable, Equatable {
    public var eventSeq: Int64
    public var eventID: String
    public var eventType: String
    public var subscriptionID: String
    public var callback: String
    public var body: [UInt8]
    /// Attempts before this one.
    public var attempts: Int
}

/// What came of one delivery attempt.
public enum DeliveryOutcome: Sendable, Equatable {
    /// A 2xx answer.
    case delivered(result: String)
    /// Anything else; `retryAt` is `nil` when the retries are used up (dead letter).
    case failed(result: String, retryAt: Date?)
}
