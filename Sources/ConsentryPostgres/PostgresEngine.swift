public import ConsentryStorage
import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresNIO
import Synchronization

/// The fleet engine: PostgreSQL through postgres-nio, for several `consentry serve`
/// instances behind a load balancer.
///
/// A transaction's body is synchronous (the contract's shape, shared with SQLite), so it
/// runs on a thread of the engine's own pool and waits on each statement's future there,
/// never on an event loop. One connection per thread: a body always finds its connection.
/// Writes run at READ COMMITTED; the store takes row locks (`FOR UPDATE`) and advisory
/// locks (`StorageLock`) where it reads before it writes, and a deadlock or serialisation
/// failure is retried a few times.
public final class PostgresEngine: StorageEngine {
    public let location: PostgresLocation
    public var dialect: SQLDialect { .postgres }
    public var displayName: String { location.displayName }

    let connectionConfiguration: PostgresConnection.Configuration
    private let threads: NIOThreadPool
    private let idle = Mutex<[PostgresConnection]>([])
    private let nextID = Atomic<Int>(1)
    let logger: Logger
    private let eventLoops: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton

    /// Connects, checks the server and applies the pending migrations.
    /// - Parameter size: connections (and threads) this server uses at most.
    public static func open(url: String, size: Int = 8, logger: Logger = Logger(label: "consentry.postgres")) async throws -> PostgresEngine {
        let engine = try PostgresEngine(location: PostgresLocation(url: url), size: size, logger: logger)
        do {
            try await engine.migrate()
        } catch {
            try? engine.close()
            throw error
        }
        return engine
    }

    init(location: PostgresLocation, size: Int, logger: Logger) throws {
        self.location = location
        self.connectionConfiguration = try location.configuration()
        self.logger = logger
        self.threads = NIOThreadPool(numberOfThreads: max(1, size))
        threads.start()
    }

    deinit {
        closeIdleConnections()
        // Not the synchronous shutdown: the last reference may drop on one of these threads.
        threads.shutdownGracefully { _ in }
    }

    /// One snapshot for the whole body, as SQLite's reads have (a verifier reading checkpoints,
    /// then entries, must not see entries committed in between). BEGIN is pipelined with the
    /// first statement; COMMIT is waited for, so a connection goes back to the pool idle.
    public func read<T: Sendable>(_ body: @escaping @Sendable (any StorageConnection) throws -> T) async throws -> T {
        try await threads.runIfActive {
            try self.withConnection { connection in
                let transaction = PostgresTransaction(connection: connection, logger: self.logger, inTransaction: true)
                transaction.send("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                do {
                    let result = try body(transaction)
                    try transaction.run("COMMIT")
                    return result
                } catch {
                    try? transaction.run("ROLLBACK")
                    throw error
                }
            }
        }
    }

    public func write<T: Sendable>(_ body: @escaping @Sendable (any StorageConnection) throws -> T) async throws -> T {
        try await threads.runIfActive { try self.transaction(body) }
    }

    public func writeWithoutTransaction<T: Sendable>(_ body: @escaping @Sendable (any StorageConnection) throws -> T) async throws -> T {
        try await threads.runIfActive { try self.withConnection { connection in try body(PostgresTransaction(connection: connection, logger: self.logger, inTransaction: false)) } }
    }

    /// PostgreSQL removes old row versions by VACUUM; the erased customer's key is gone already.
    public func discardOldPageImages() async throws {}

    public func close() throws {
        closeIdleConnections()
    }

    private func closeIdleConnections() {
        let connections = idle.withLock { connections in
            defer { connections.removeAll() }
            return connections
        }
        // Each connection stays referenced until its close completes.
        for connection in connections { connection.close().whenComplete { _ in _ = connection } }
    }

    // MARK: Transactions

    private func transaction<T>(_ body: (any StorageConnection) throws -> T) throws -> T {
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try withConnection { connection in
                    let transaction = PostgresTransaction(connection: connection, logger: logger, inTransaction: true)
                    try transaction.run("BEGIN")
                    do {
                        let result = try body(transaction)
                        try transaction.run("COMMIT")
                        transaction.committed()
                        return result
                    } catch {
                        try? transaction.run("ROLLBACK")
                        throw error
                    }
                }
            } catch let failure as StorageFailure where failure.code == .conflict && attempt < 5 {
                // A deadlock or serialisation failure rolled everything back: run the body again.
                continue
            }
        }
    }

    /// Runs `body` with a connection of the pool, opened on demand; a broken one is dropped.
    private func withConnection<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        let connection = try take()
        do {
            let result = try body(connection)
            give(back: connection)
            return result
        } catch {
            if connection.isClosed {
                connection.close().whenComplete { _ in _ = connection }
            } else {
                give(back: connection)
            }
            throw StorageFailureFactory.failure(error)
        }
    }

    private func take() throws -> PostgresConnection {
        while let connection = idle.withLock({ $0.popLast() }) {
            if !connection.isClosed { return connection }
        }
        do {
            let id = nextID.add(1, ordering: .relaxed).oldValue
            return try PostgresConnection.connect(on: eventLoops.any(), configuration: connectionConfiguration, id: id, logger: logger).wait()
        } catch {
            throw StorageFailure(.unavailable, "cannot connect to \(location.displayName): \(StorageFailureFactory.failure(error))")
        }
    }

    private func give(back connection: PostgresConnection) {
        idle.withLock { $0.append(connection) }
    }
}
