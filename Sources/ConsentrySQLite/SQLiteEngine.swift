public import ConsentryStorage
import Foundation
public import GRDB

/// The embedded engine: one SQLite file through GRDB, zero configuration.
///
/// Production uses a `DatabasePool` (WAL: readers never block the writer). Every commit is
/// `synchronous = FULL`: a commit that returned survives power loss, which an audit trail
/// and consent history need; see SECURITY.md.
public final class SQLiteEngine: StorageEngine {
    public let writer: any DatabaseWriter
    public let path: String?
    public var dialect: SQLDialect { .sqlite }
    public var displayName: String { path ?? "sqlite (in memory)" }

    /// Opens (creating if needed, owner-only) and migrates the database at `path`.
    public static func open(path: String) throws -> SQLiteEngine {
        if !FileManager.default.fileExists(atPath: path) {
            _ = FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
        }
        let pool = try DatabasePool(path: path, configuration: makeConfiguration())
        return try SQLiteEngine(pool, path: path)
    }

    /// The migrations a database file has, read without migrating it; `nil` when there is no
    /// file or it cannot be read.
    public static func appliedMigrations(path: String) -> [String]? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        var configuration = Configuration()
        configuration.readonly = true
        guard let queue = try? DatabaseQueue(path: path, configuration: configuration) else { return nil }
        return try? queue.read { db in
            try db.tableExists("grdb_migrations") ? String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations") : []
        }
    }

    public init(_ writer: any DatabaseWriter, path: String? = nil) throws {
        self.writer = writer
        self.path = path
        try Self.migrator.migrate(writer)
    }

    public static func makeConfiguration() -> Configuration {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            // Deleted pages are zeroed, so erased ciphertext does not linger in free pages.
            try db.execute(sql: "PRAGMA secure_delete = ON")
            // 8 MiB of page cache per connection (a server holds a writer and up to five
            // readers); an import raises its writer's to 64 MiB (`prepareForBulkWrites`).
            try db.execute(sql: "PRAGMA cache_size = -8192")
        }
        // Statement arguments (ciphertext, digests) stay out of GRDB's error descriptions.
        configuration.publicStatementArguments = false
        return configuration
    }

    /// Reads run synchronously on the calling thread (GRDB's reader queues accept a
    /// `sync` from it): a read is a few hundred microseconds of SQLite with no await inside,
    /// and the asynchronous variant's two thread hops cost more than the read itself. A
    /// reader that is busy is waited for; it never waits on the caller's executor.
    public func read<T: Sendable>(_ body: @escaping @Sendable (any StorageConnection) throws -> T) async throws -> T {
        try Self.translatingSyncErrors { try readBlocking(body) }
    }

    private func readBlocking<T>(_ body: (any StorageConnection) throws -> T) throws -> T {
        try writer.read { db in try body(SQLiteConnection(db: db)) }
    }

    public func write<T: Sendable>(_ body: @escaping @Sendable (any StorageConnection) throws -> T) async throws -> T {
        try await Self.translatingErrors { try await writer.write { db in try body(SQLiteConnection(db: db)) } }
    }

    public func writeWithoutTransaction<T: Sendable>(_ body: @escaping @Sendable (any StorageConnection) throws -> T) async throws -> T {
        try await Self.translatingErrors { try await writer.writeWithoutTransaction { db in try body(SQLiteConnection(db: db)) } }
    }

    public func close() throws { try writer.close() }

    /// 64 MiB of page cache for the writer: blind-index inserts land on random pages, and a
    /// batch touches each of them once instead of reading it again from disk.
    public func prepareForBulkWrites() async throws {
        _ = try await writer.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA cache_size = -65536") }
    }

    public func signals() -> AsyncStream<StorageSignal> {
        AsyncStream { _ in }
    }

    /// One server per file: the job is this server's.
    public func runExclusive<T: Sendable>(_ lock: StorageLock, _ body: @Sendable () async throws -> T) async throws -> T? {
        try await body()
    }

    /// Resets the WAL, where old page images of an erased row may linger.
    public func discardOldPageImages() async throws {
        _ = try await writer.writeWithoutTransaction { db in try db.checkpoint(.truncate) }
    }

    static func translatingErrors<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as DatabaseError {
            throw SQLiteConnection.failure(error)
        }
    }
}

extension SQLiteEngine {
    static func translatingSyncErrors<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as DatabaseError {
            throw SQLiteConnection.failure(error)
        }
    }
}
