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
    /// Callback hosts the operator lets resolve to loopback or private addresses (a receiver
    /// on the same machine or network); every other host must resolve to public addresses.
    public var internalCallbackHosts: [CallbackHostPattern]
    /// Active subscriptions one module may hold.
    public var maxSubscriptionsPerModule: Int
    /// The port this server listens on: a loopback callback to it would have Consentry post
    /// to itself (its own admin routes), so it is refused even where loopback is allowed.
    public var serverPort: Int?

    public init(
        schedule: RetrySchedule = .standard, batchSize: Int = 64, requestTimeout: Duration = .seconds(10), lease: Duration = .seconds(30),
        idlePoll: Duration = .seconds(1), allowPlainHTTPCallbacks: Bool = false, internalCallbackHosts: [CallbackHostPattern] = [],
        maxSubscriptionsPerModule: Int = 20, serverPort: Int? = nil
    ) {
        self.serverPort = serverPort
        self.internalCallbackHosts = internalCallbackHosts
        self.maxSubscriptionsPerModule = maxSubscriptionsPerModule
        self.schedule = schedule
        self.batchSize = batchSize
        self.requestTimeout = requestTimeout
        self.lease = lease
        self.idlePoll = idlePoll
        self.allowPlainHTTPCallbacks = allowPlainHTTPCallbacks
    }
}
