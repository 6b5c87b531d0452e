import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Synchronization

/// A module's event endpoint on loopback: a real HTTP server that records what it is sent,
/// answers with a chosen status, and can be stopped and started again on the same port.
final class EventReceiver: Sendable {
    struct Delivery: Sendable {
        var headers: HTTPFields
        var body: [UInt8]
    }

    let received = Mutex<[Delivery]>([])
    let answer = Mutex<HTTPResponse.Status>(.noContent)
    private let running = Mutex<Task<Void, any Error>?>(nil)
    private let boundPort = Mutex<Int>(0)

    var port: Int { boundPort.withLock { $0 } }
    var callback: String { "http://127.0.0.1:\(port)/events" }
    var deliveries: [Delivery] { received.withLock { $0 } }

    /// Starts on `port` (0: any free one) and returns once it accepts connections.
    func start(port: Int = 0) async throws {
        let router = Router()
        router.post("events") { request, context -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            self.received.withLock { $0.append(Delivery(headers: request.headers, body: Array(body.readableBytesView))) }
            return Response(status: self.answer.withLock { $0 })
        }
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        // Stopping on purpose makes the server log its cancelled child channels: keep it quiet.
        var logger = Logger(label: "event-receiver")
        logger.logLevel = .critical
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)),
            onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) }, logger: logger)
        running.withLock { $0 = Task { try await app.runService(gracefulShutdownSignals: []) } }
        var iterator = ports.makeAsyncIterator()
        let bound = await iterator.next() ?? 0
        boundPort.withLock { $0 = bound }
    }

    /// Stops listening: connections are refused until `start(port:)` again.
    func stop() async {
        let task = running.withLock { task in defer { task = nil }; return task }
        task?.cancel()
        _ = try? await task?.value
    }

    /// Waits until `condition` holds for what was received, or fails after `timeout`.
    func waitFor(timeout: Duration = .seconds(15), _ condition: ([Delivery]) -> Bool) async throws -> [Delivery] {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let now = deliveries
            if condition(now) { return now }
            try await Task.sleep(for: .milliseconds(25))
        }
        throw TimeoutError()
    }

    struct TimeoutError: Error {}
}
