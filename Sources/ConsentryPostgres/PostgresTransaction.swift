import ConsentryStorage
import Dispatch
import Logging
import PostgresNIO
import Synchronization

/// Statements on one connection, waited for on the engine's own thread.
final class PostgresTransaction: StorageConnection {
    let connection: PostgresConnection
    let logger: Logger
    let inTransaction: Bool
    /// How long a statement may go unanswered before the connection is given up (a wedged
    /// connection becomes an error and a fresh connection, never a hung request).
    let deadline: Duration
    private var commitActions: [@Sendable () -> Void] = []
    private var savepoints = 0

    init(connection: PostgresConnection, logger: Logger, inTransaction: Bool, deadline: Duration) {
        self.deadline = deadline
        self.connection = connection
        self.logger = logger
        self.inTransaction = inTransaction
    }

    var dialect: SQLDialect { .postgres }

    /// Sends a statement without waiting for it: statements on one connection run in order,
    /// so the next one waited for also waits for this one (and fails if it failed).
    func send(_ sql: String) {
        _ = connection.query(PostgresStatement.query(sql, []), logger: logger)
    }

    func run(_ sql: String) throws {
        _ = try result(sql, [])
    }


    private func result(_ sql: String, _ arguments: [(any SQLValueConvertible)?]) throws -> PostgresQueryResult {
        let future = connection.query(PostgresStatement.query(sql, arguments), logger: logger)
        // The deadline is kept by this waiting thread itself, not by a task on the connection's
        // event loop: twice, in loaded CI runs, a statement's future never completed although
        // the server had answered (and the event loop was idle), so `wait()` blocked forever.
        let done = DispatchSemaphore(value: 0)
        let outcome = Mutex<Result<PostgresQueryResult, any Error>?>(nil)
        future.whenComplete { result in
            outcome.withLock { $0 = result }
            done.signal()
        }
        let (seconds, attoseconds) = deadline.components
        let waitUntil = DispatchTime.now() + .nanoseconds(Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000))
        guard done.wait(timeout: waitUntil) == .success, let result = outcome.withLock({ $0 }) else {
            let connection = self.connection
            connection.close().whenComplete { _ in _ = connection }
            throw StorageFailure(.timeout, "a statement got no answer within \(deadline); its connection was closed")
        }
        do {
            return try result.get()
        } catch {
            throw StorageFailureFactory.failure(error)
        }
    }


    @discardableResult
    func execute(_ sql: String, _ arguments: [(any SQLValueConvertible)?]) throws -> Int {
        try result(sql, arguments).metadata.rows ?? 0
    }

    func fetchAll(_ sql: String, _ arguments: [(any SQLValueConvertible)?]) throws -> [SQLRow] {
        try result(sql, arguments).rows.map(PostgresStatement.row)
    }

    /// A server-side cursor inside a transaction, fetched a thousand rows at a time: memory
    /// stays flat for exports of millions of rows.
    func forEach(_ sql: String, _ arguments: [(any SQLValueConvertible)?], _ body: (SQLRow) throws -> Void) throws {
        guard inTransaction else {
            try run("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            do {
                try PostgresTransaction(connection: connection, logger: logger, inTransaction: true, deadline: deadline).forEach(sql, arguments, body)
                try run("COMMIT")
            } catch {
                try? run("ROLLBACK")
                throw error
            }
            return
        }
        savepoints += 1
        let cursor = "consentry_cursor_\(savepoints)"
        try execute("DECLARE \(cursor) NO SCROLL CURSOR FOR " + sql, arguments)
        while true {
            let rows = try result("FETCH 1000 FROM \(cursor)", []).rows
            for row in rows { try body(try PostgresStatement.row(row)) }
            if rows.count < 1000 { break }
        }
        try run("CLOSE \(cursor)")
    }

    func savepoint(_ body: () throws -> Void) throws {
        savepoints += 1
        let name = "consentry_savepoint_\(savepoints)"
        try run("SAVEPOINT \(name)")
        do {
            try body()
            try run("RELEASE SAVEPOINT \(name)")
        } catch {
            try run("ROLLBACK TO SAVEPOINT \(name)")
            throw error
        }
    }

    /// A transaction-scoped advisory lock: released by COMMIT or ROLLBACK, on every server.
    func lock(_ resource: StorageLock) throws {
        _ = try result("SELECT pg_advisory_xact_lock(?)", [resource.rawValue])
    }

    /// `pg_notify` inside the transaction: delivered at COMMIT, dropped by ROLLBACK.
    func notify(_ signal: StorageSignal) throws {
        _ = try result("SELECT pg_notify(?, ?)", [PostgresEngine.signalChannel, signal.rawValue])
    }

    func afterCommit(_ body: @escaping @Sendable () -> Void) {
        commitActions.append(body)
    }

    func committed() {
        for action in commitActions { action() }
        commitActions.removeAll()
    }

    /// `nextval` of the column's identity sequence: unique across servers, never reused.
    func reserveSequence(table: String, column: String, count: Int) throws -> [Int64] {
        guard count > 0 else { return [] }
        return try fetchColumn(
            Int64.self, "SELECT nextval(pg_get_serial_sequence(?, ?)) FROM generate_series(1, ?)", [table, column, count])
    }
}
