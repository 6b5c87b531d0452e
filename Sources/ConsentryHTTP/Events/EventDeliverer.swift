import AsyncHTTPClient
import ConsentryCore
import ConsentryCrypto
import ConsentryStore
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import Prometheus
import ServiceLifecycle

/// Delivers outbox events to subscribers: signed HTTP POSTs, retried with exponential
/// backoff and full jitter, dead-lettered after the schedule's last attempt.
///
/// All state is in the database (`event_delivery`), so the service survives restarts: what
/// was pending is delivered when it starts again. Delivery is at least once: a POST whose
/// answer was lost, or a claim held by a deliverer that died, is sent again; receivers
/// deduplicate on `eventId`.
public struct EventDeliverer: Service {
    let hub: EventHub
    let signal: EventSignal
    let keys: KeyProvider
    let settings: DeliverySettings
    let metrics: PrometheusCollectorRegistry
    let logger: Logger

    public init(services: ConsentryServices, logger: Logger) {
        self.hub = services.events
        self.signal = services.journal.outbox.signal
        self.keys = services.keys
        self.settings = services.delivery
        self.metrics = services.metrics
        self.logger = logger
    }

    public func run() async throws {
        // Redirects are not followed: a callback must not be able to point the hub elsewhere.
        let client = HTTPClient(
            eventLoopGroupProvider: .singleton,
            configuration: .init(redirectConfiguration: .disallow, timeout: .init(connect: .seconds(5), read: .seconds(10))))
        await cancelWhenGracefulShutdown {
            var outcomes: [(ClaimedDelivery, DeliveryOutcome)] = []
            while !Task.isCancelled {
                do {
                    let claimed = try await hub.claim(limit: settings.batchSize, lease: settings.lease, recording: outcomes)
                    count(outcomes)
                    outcomes = []
                    if claimed.isEmpty {
                        await signal.wait(timeout: try await idleTime())
                        continue
                    }
                    outcomes = await withTaskGroup(of: (ClaimedDelivery, DeliveryOutcome).self) { group in
                        for delivery in claimed { group.addTask { (delivery, await attempt(delivery, client: client)) } }
                        return await group.reduce(into: []) { $0.append($1) }
                    }
                    // Attempts cut short by shutdown are not failures of the receiver; the lease brings them back.
                    if Task.isCancelled { outcomes = [] }
                } catch is CancellationError {
                    break
                } catch {
                    logger.error("event delivery round failed; retrying", metadata: ["error": "\(type(of: error))"])
                    try? await Task.sleep(for: settings.idlePoll)
                }
            }
            // Outcomes of the last round; if this fails too, the lease brings them back (at least once).
            try? await hub.record(outcomes)
        }
        try await client.shutdown()
    }

    /// Until the next retry comes due, at most `idlePoll`.
    private func idleTime() async throws -> Duration {
        guard let due = try await hub.nextDue() else { return settings.idlePoll }
        let milliseconds = Int64(max(0, due.timeIntervalSinceNow) * 1000)
        return min(settings.idlePoll, .milliseconds(max(10, milliseconds)))
    }

    /// One POST. The signature covers the timestamp and the exact body bytes.
    func attempt(_ delivery: ClaimedDelivery, client: HTTPClient) async -> DeliveryOutcome {
        let attempt = delivery.attempts + 1
        let result: String
        do {
            let timestamp = String(Int(Date().timeIntervalSince1970))
            let secret = try keys.current.webhookSecret(subscriptionID: delivery.subscriptionID)
            let mac = try HMACSHA256.authenticationCode(for: Array("\(timestamp).".utf8) + delivery.body, using: secret)
            let target = try await Self.target(delivery.callback, allowed: settings.internalCallbackHosts)
            var request = HTTPClientRequest(url: target.url)
            if let host = target.hostHeader { request.headers.add(name: "Host", value: host) }
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.headers.add(name: "User-Agent", value: "consentry-event-deliverer")
            request.headers.add(name: EventSignature.eventIDHeader, value: delivery.eventID)
            // The envelope's own event type (the TMF name); the stored type for envelopes
            // written before the TMF names, which carry their first-release name anyway.
            let eventType = (try? JSONValue.parse(delivery.body))?["eventType"]?.stringValue ?? delivery.eventType
            request.headers.add(name: EventSignature.eventTypeHeader, value: eventType)
            request.headers.add(name: EventSignature.attemptHeader, value: String(attempt))
            request.headers.add(name: EventSignature.header, value: "t=\(timestamp),v1=\(mac.hexString)")
            request.body = .bytes(ByteBuffer(bytes: delivery.body))
            let response = try await client.execute(request, timeout: .nanoseconds(Int64(settings.requestTimeout.components.seconds) * 1_000_000_000))
            _ = try? await response.body.collect(upTo: 64 * 1024)
            if (200..<300).contains(response.status.code) { return .delivered(result: "HTTP \(response.status.code)") }
            result = "HTTP \(response.status.code)"
        } catch {
            result = Self.describe(error)
        }
        guard let delay = settings.schedule.delay(afterAttempt: attempt, unit: Double.random(in: 0..<1)) else {
            logger.warning("event dead-lettered", metadata: ["event": "\(delivery.eventID)", "subscription": "\(delivery.subscriptionID)", "attempts": "\(attempt)"])
            return .failed(result: result, retryAt: nil)
        }
        let (seconds, attoseconds) = delay.components
        return .failed(result: result, retryAt: Date().addingTimeInterval(Double(seconds) + Double(attoseconds) / 1e18))
    }

    /// The URL to connect to, after the host was resolved and checked: a plain-http
    /// callback is pinned to the checked address (with its name in `Host`), so a second
    /// lookup cannot lead elsewhere; https keeps its name for the certificate check.
    static func target(_ callback: String, allowed: [CallbackHostPattern]) async throws -> (url: String, hostHeader: String?) {
        guard var components = URLComponents(string: callback), let host = components.host else {
            throw CallbackAddress.Refused(description: "the callback is not a URL")
        }
        let checked = try await CallbackAddress.resolve(host: host, allowed: allowed)
        guard components.scheme?.lowercased() == "http" else { return (callback, nil) }
        let hostHeader = components.port.map { "\(host):\($0)" } ?? host
        components.host = checked.address.contains(":") ? "[\(checked.address)]" : checked.address
        guard let pinned = components.string else { throw CallbackAddress.Refused(description: "the callback is not a URL") }
        return (pinned, hostHeader)
    }

    /// A short, value-free description of a transport failure for the operator.
    static func describe(_ error: any Error) -> String {
        if let refused = error as? CallbackAddress.Refused { return "refused: \(refused.description)".prefix(160).description }
        if let error = error as? HTTPClientError {
            switch error {
            case .connectTimeout: return "connect timeout"
            case .deadlineExceeded, .readTimeout: return "timeout"
            default: return "client error: \(error)".prefix(160).description
            }
        }
        let text = "\(error)"
        if text.localizedCaseInsensitiveContains("refused") { return "connection refused" }
        return String(text.prefix(160))
    }

    private func count(_ outcomes: [(ClaimedDelivery, DeliveryOutcome)]) {
        for (_, outcome) in outcomes {
            let label: String
            switch outcome {
            case .delivered: label = "delivered"
            case .failed(_, let retryAt): label = retryAt == nil ? "dead" : "retry"
            }
            metrics.makeCounter(descriptor: MetricNames.eventDeliveries, labels: [("outcome", label)]).increment()
        }
    }
}

/// The headers of a delivery, and how a receiver checks one.
public enum EventSignature {
    /// `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>." + body)>`.
    public static let header = "X-Consentry-Signature"
    public static let eventIDHeader = "X-Consentry-Event-Id"
    public static let eventTypeHeader = "X-Consentry-Event-Type"
    public static let attemptHeader = "X-Consentry-Delivery-Attempt"

    /// Checks a signature header against the body, as a receiver would; rejects timestamps
    /// more than `tolerance` seconds away (replays).
    public static func isValid(header: String, body: [UInt8], secret: SecureBytes, now: Date = Date(), tolerance: TimeInterval = 300) -> Bool {
        var timestamp: String?
        var signature: String?
        for part in header.split(separator: ",") {
            if part.hasPrefix("t=") { timestamp = String(part.dropFirst(2)) }
            if part.hasPrefix("v1=") { signature = String(part.dropFirst(3)) }
        }
        guard let timestamp, let seconds = TimeInterval(timestamp), abs(now.timeIntervalSince1970 - seconds) <= tolerance, let signature,
            let expected = try? HMACSHA256.authenticationCode(for: Array("\(timestamp).".utf8) + body, using: secret)
        else { return false }
        return ConstantTime.equals(Array(expected.hexString.utf8), Array(signature.utf8))
    }
}
