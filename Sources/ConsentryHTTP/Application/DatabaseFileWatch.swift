import ConsentryStore
import Logging
import ServiceLifecycle

/// Stops the server when its SQLite file is replaced under it (a restore or a copy by hand
/// while it ran): from then on its writes would land in the unlinked old file and be lost
/// silently. The lock `serve` holds keeps `consentry restore` out; this catches the rest.
public struct DatabaseFileWatch: Service {
    public struct Replaced: Error, CustomStringConvertible {
        public var path: String
        public var description: String { "the database file \(path) was replaced while the server ran; stopping so that no write is lost" }
    }

    let path: String
    let interval: Duration
    let logger: Logger

    public init(path: String, interval: Duration = .seconds(1), logger: Logger) {
        self.path = path
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        let opened = DatabaseFileIdentity(path: path)
        // Ends with the server's graceful shutdown (SIGTERM, Ctrl-C) like every other service.
        try await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do { try await Task.sleep(for: interval) } catch { return }
                if DatabaseFileIdentity(path: path) != opened {
                    logger.critical("database file replaced; stopping", metadata: ["path": "\(path)"])
                    throw Replaced(path: path)
                }
            }
        }
    }
}
