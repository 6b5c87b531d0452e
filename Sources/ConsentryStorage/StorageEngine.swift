/// A database that stores Consentry's rows: SQLite (the embedded default) or PostgreSQL
/// (a fleet of servers). It stores bytes; encryption, blind indexes and the audit chain are
/// computed above it, so both engines hold the same ciphertexts.
public protocol StorageEngine: Sendable {
    var dialect: SQLDialect { get }

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

    /// Closes every connection.
    func close() throws
}
