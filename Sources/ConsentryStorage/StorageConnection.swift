/// Statements inside one read or one transaction of a `StorageEngine`.
///
/// Synchronous on purpose: a transaction's body is plain code between `BEGIN` and
/// `COMMIT`, as in GRDB, so the same body runs on both engines and never awaits while it
/// holds locks. SQL uses `?` placeholders; the PostgreSQL engine numbers them.
public protocol StorageConnection {
    var dialect: SQLDialect { get }

    /// Runs a statement and returns the number of rows it changed.
    @discardableResult
    func execute(_ sql: String, _ arguments: [(any SQLValueConvertible)?]) throws -> Int

    func fetchAll(_ sql: String, _ arguments: [(any SQLValueConvertible)?]) throws -> [SQLRow]

    /// Streams the rows of a large result without holding them all (exports, sweeps).
    func forEach(_ sql: String, _ arguments: [(any SQLValueConvertible)?], _ body: (SQLRow) throws -> Void) throws

    /// Runs `body` in a savepoint: if it throws, its changes alone are rolled back.
    func savepoint(_ body: () throws -> Void) throws

    /// Serialises writers that need `resource` across every server on the database
    /// (PostgreSQL: a transaction-scoped advisory lock; SQLite: its one writer already is).
    func lock(_ resource: StorageLock) throws

    /// Announces `signal` to every server on the database when this transaction commits.
    func notify(_ signal: StorageSignal) throws

    /// Runs `body` once the current transaction has committed (not if it rolls back).
    func afterCommit(_ body: @escaping @Sendable () -> Void)

    /// The next `count` values of `table`'s auto-incremented key, reserved for this
    /// transaction's inserts (rows that must carry their own number, like outbox envelopes).
    func reserveSequence(table: String, column: String, count: Int) throws -> [Int64]
}

extension StorageConnection {
    @discardableResult
    public func execute(_ sql: String, _ arguments: (any SQLValueConvertible)?...) throws -> Int {
        try execute(sql, arguments)
    }

    public func fetchAll(_ sql: String) throws -> [SQLRow] {
        try fetchAll(sql, [])
    }

    public func fetchOne(_ sql: String, _ arguments: [(any SQLValueConvertible)?] = []) throws -> SQLRow? {
        try fetchAll(sql, arguments).first
    }

    /// The first column of the first row.
    public func fetchValue<Value: SQLValueConvertible>(_ sql: String, _ arguments: [(any SQLValueConvertible)?] = [], as type: Value.Type = Value.self) throws -> Value? {
        try fetchOne(sql, arguments).flatMap { Value.fromSQL($0.value(at: 0)) }
    }

    /// The first column of every row.
    public func fetchColumn<Value: SQLValueConvertible>(_ sql: String, _ arguments: [(any SQLValueConvertible)?] = [], as type: Value.Type = Value.self) throws -> [Value] {
        try fetchAll(sql, arguments).compactMap { Value.fromSQL($0.value(at: 0)) }
    }

    /// `count` placeholders for an `IN (...)` list.
    public func placeholders(_ count: Int) -> String {
        Array(repeating: "?", count: count).joined(separator: ", ")
    }
}

/// Resources writers on several servers must take in turn.
public enum StorageLock: Int64, Sendable {
    /// Appending to the audit hash chain: one chain, however many servers write it.
    case auditChain = 0x636F_6E73_0001
    /// Schema migrations at start.
    case migrations = 0x636F_6E73_0002
    /// The retention sweep, which runs on one server at a time.
    case retentionSweep = 0x636F_6E73_0003
    /// Creating or changing a customer's login subject, which must stay unique.
    case loginSubjects = 0x636F_6E73_0004
}

extension StorageConnection {
    /// The first column of the first row, as `type`.
    public func fetchValue<Value: SQLValueConvertible>(_ type: Value.Type, _ sql: String, _ arguments: [(any SQLValueConvertible)?] = []) throws -> Value? {
        try fetchValue(sql, arguments, as: type)
    }

    /// The first column of every row, as `type`.
    public func fetchColumn<Value: SQLValueConvertible>(_ type: Value.Type, _ sql: String, _ arguments: [(any SQLValueConvertible)?] = []) throws -> [Value] {
        try fetchColumn(sql, arguments, as: type)
    }
}
