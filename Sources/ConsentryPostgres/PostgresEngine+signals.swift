public import ConsentryStorage
import Foundation
import Logging
import PostgresNIO

extension PostgresEngine {
    static let signalChannel = "consentry"

    /// Listens on a connection of its own, reconnecting after a second when it breaks (a
    /// signal sent while it was down is missed: the caches' lifetimes still bound staleness).
    public func signals() -> AsyncStream<StorageSignal> {
        let (stream, continuation) = AsyncStream<StorageSignal>.makeStream(bufferingPolicy: .bufferingNewest(16))
        let configuration = self.connectionConfiguration
        let logger = self.logger
        let task = Task {
            while !Task.isCancelled {
                do {
                    let connection = try await PostgresConnection.connect(configuration: configuration, id: 0, logger: logger)
                    do {
                        try await connection.listen(on: Self.signalChannel) { notifications in
                            for try await notification in notifications {
                                if let signal = StorageSignal(rawValue: notification.payload) { continuation.yield(signal) }
                            }
                        }
                    } catch {}
                    try? await connection.close()
                } catch {}
                try? await Task.sleep(for: .seconds(1))
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    /// A session-level advisory lock on a connection of its own, held while `body` runs.
    public func runExclusive<T: Sendable>(_ lock: StorageLock, _ body: @Sendable () async throws -> T) async throws -> T? {
        let connection: PostgresConnection
        do {
            connection = try await PostgresConnection.connect(configuration: connectionConfiguration, id: 0, logger: logger)
        } catch {
            throw StorageFailure(.unavailable, "cannot connect to \(location.displayName): \(StorageFailureFactory.failure(error))")
        }
        do {
            let rows = try await connection.query(PostgresStatement.query("SELECT pg_try_advisory_lock(?)", [lock.rawValue]), logger: logger).get()
            guard let first = rows.rows.first, case .integer(1) = try PostgresStatement.value(first.makeRandomAccess()[0]) else {
                try? await connection.close()
                return nil
            }
            let result = try await body()
            // Closing the session releases the lock too; unlock first to hand it over promptly.
            _ = try? await connection.query(PostgresStatement.query("SELECT pg_advisory_unlock(?)", [lock.rawValue]), logger: logger).get()
            try? await connection.close()
            return result
        } catch {
            try? await connection.close()
            throw StorageFailureFactory.failure(error)
        }
    }
}
