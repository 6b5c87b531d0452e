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
    let statementDeadline: Duration

    /// Connects, checks the server and applies the pending migrations.
    /// - Parameter size: connections (and threads) this server uses at most.
    /// - Parameter statementDeadline: how long a statement may go unanswered before its
    ///   connection is given up (an error, or for a read one retry on a fresh connection).
    public static func open(
        url: String, size: Int = 8, statementDeadline: Duration = .seconds(60), logger: Logger = Logger(label: "consentry.postgres")
    ) async throws -> PostgresEngine {
        let engine = try PostgresEngine(location: PostgresLocation(url: url), size: size, statementDeadline: statementDeadline, logger: logger)
        do {
            try await engine.migrate()
        } catch {
            try? engine.close()
            throw error
        }
        return engine
    }

    init(location: PostgresLocation, size: Int, statementDeadline: Duration = .seconds(60), logger: Logger) throws {
        self.statementDeadline = statementDeadline
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
        // A read that timed out on a wedged connection is run once more on a fresh one: it
        // changed nothing, so running it again is safe (a write is not retried so).
        do {
            return try await readOnce(body)
        } catch let failure as StorageFailure where failure.code == .timeout {
            logger.warning("a read got no answer in time; retrying on a fresh connection")
            return try await readOnce(body)
        }
    }

    private func readOnce<T: Sendable>(_ body: @escaping @Sendable (any StorageConnection) throws -> T) async throws -> T {
        try await threads.runIfActive {
            try self.withConnection { connection in
                let transaction = PostgresTransaction(connection: connection, logger: self.logger, inTransaction: true, deadline: self.statementDeadline)
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
        try await threads.runIfActive { try self.withConnection { connection in try body(PostgresTransaction(connection: connection, logger: self.logger, inTransaction: false, deadline: self.statementDeadline)) } }
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
                    let transaction = PostgresTransaction(connection: connection, logger: logger, inTransaction: true, deadline: statementDeadline)
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
            let failure = StorageFailureFactory.failure(error)
            // A closed connection, or one whose statement was given up on, is dropped.
            let code = (failure as? StorageFailure)?.code
            if connection.isClosed || code == .unavailable || code == .timeout {
                connection.close().whenComplete { _ in _ = connection }
            } else {
                give(back: connection)
            }
            throw failure
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
