import ConsentryCore

/// How events reach subscribers.
public struct DeliverySettings: Sendable {
    public var schedule: RetrySchedule
    /// Deliveries attempted per round, concurrently.
    public var batchSize: Int
    /// One attempt's limit, connection included.
    public var requestTimeout: Duration
    /// How long a claimed delivery stays reserved; a deliverer that dies mid-round leaves its
    /// claims to be retried after this (at-least-once).
    public var lease: Duration
    /// The longest sleep between looks at the queue (events from other processes, retries).
    public var idlePoll: Duration
    /// Plain-HTTP callbacks to hosts other than loopback (a service mesh that terminates TLS).
    public var allowPlainHTTPCallbacks: Bool

    public init(
        schedule: RetrySchedule = .standard, batchSize: Int = 64, requestTimeout: Duration = .seconds(10), lease: Duration = .seconds(30),
        idlePoll: Duration = .seconds(1), allowPlainHTTPCallbacks: Bool = false
    ) {
        self.schedule = schedule
        self.batchSize = batchSize
        self.requestTimeout = requestTimeout
        self.lease = lease
        self.idlePoll = idlePoll
        self.allowPlainHTTPCallbacks = allowPlainHTTPCallbacks
    }
}
