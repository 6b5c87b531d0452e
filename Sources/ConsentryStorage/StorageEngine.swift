/// A database that stores Consentry's rows: SQLite (the embedded default) or PostgreSQL
/// (a fleet of servers). It stores bytes; encryption, blind indexes and the audit chain are
/// computed above it, so both engines hold the same ciphertexts.
public protocol StorageEngine: Sendable {
    var dialect: SQLDialect { get }

    /// See the default implementation below.
    func prepareForBulkWrites() async throws

    /// Where the data lives, without credentials (for logs and `keys status`).
    var displayName: String { get }

    /// Runs `body` against a consistent view of the database.
    func read<T: Sendable>(_ body: @escaping @Sendable (any StorageConnection) throws -> T) async throws -> T

    /// Runs `body` in one transaction, committed when it returns and rolled back if it throws.
    func write<T: Sendable>(_ body: @escaping @Sendable (any StorageConnection) throws -> T) async throws -> T

    /// Runs `body` outside a transaction, for statements that cannot run inside one.
    func writeWithoutTransaction<T: Sendable>(_ body: @escaping @Sendable (any StorageConnection) throws -> T) async throws -> T

    /// Drops copies of overwritten pages the engine keeps (SQLite's WAL), after an erasure.
    func discardOldPageImages() async throws

    /// The signals other servers and the CLI send (`StorageConnection.notify`), until the
    /// stream is dropped. SQLite's never yields.
    func signals() -> AsyncStream<StorageSignal>

    /// Runs `body` unless another server runs the same job (`lock`) now: a periodic job runs
    /// on one server at a time. - Returns: `nil` when another server holds the job.
    func runExclusive<T: Sendable>(_ lock: StorageLock, _ body: @Sendable () async throws -> T) async throws -> T?

    /// Closes every connection.
    func close() throws
}

extension StorageEngine {
    /// A bulk load (an import) is about to write many rows whose index entries land on random
    /// pages: the engine may give its writer a larger cache from now on. A server never calls
    /// it, so its memory stays bounded. Nothing to do by default (PostgreSQL sizes its own
    /// buffers).
    public func prepareForBulkWrites() async throws {}
}
