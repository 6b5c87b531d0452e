import ConsentryCrypto
import ConsentryPostgres
import ConsentrySQLite
import ConsentryStorage
import Foundation
import ConsentryRecords

/// The files of one Consentry installation: the database (`consentry.sqlite` + WAL, unless
/// `databaseURL` names a PostgreSQL database), the erasure ledger and, unless the keys come
/// from `CONSENTRY_KEK`, the key file `kek.json` (mode 0600).
public struct DataDirectory: Sendable {
    public let path: String
    public let keyFilePath: String
    public let environment: [String: String]
    /// `postgres://...` to keep the data in PostgreSQL; `nil` for the embedded SQLite file.
    public let databaseURL: String?

    public init(
        path: String, keyFilePath: String? = nil, databaseURL: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) {
        self.path = path
        self.keyFilePath = keyFilePath ?? (path as NSString).appendingPathComponent("kek.json")
        self.environment = environment
        self.databaseURL = databaseURL.flatMap { $0.isEmpty ? nil : $0 }
    }

    public var databasePath: String { (path as NSString).appendingPathComponent("consentry.sqlite") }
    public var keySource: KeySource { KeySource.resolve(keyFilePath: keyFilePath, environment: environment) }
    /// Where the data is, without credentials.
    public var databaseDisplayName: String {
        if let databaseURL { (try? PostgresLocation(url: databaseURL).displayName) ?? "postgres (bad URL)" } else { databasePath }
    }

    /// `true` when the SQLite file exists (PostgreSQL: see `holdsInstallation`).
    public var isInitialized: Bool {
        get async {
            guard databaseURL != nil else { return FileManager.default.fileExists(atPath: databasePath) }
            guard let engine = try? await openEngine() else { return false }
            defer { try? engine.close() }
            return (try? await Self.holdsInstallation(engine)) ?? false
        }
    }

    /// An installation's system keys are its mark: `init` writes them first.
    static func holdsInstallation(_ engine: any StorageEngine) async throws -> Bool {
        try await engine.read { db in try db.fetchValue(Int.self, "SELECT COUNT(*) FROM system_key") ?? 0 } > 0
    }

    /// Opens (and migrates) the database engine.
    /// The migrations the SQLite database already has, read without applying any (`nil` for
    /// PostgreSQL, whose engine migrates as it opens, or when there is no database yet).
    public func appliedMigrationsBeforeOpening() -> [String]? {
        databaseURL == nil ? SQLiteEngine.appliedMigrations(path: databasePath) : nil
    }

    public func openEngine() async throws -> any StorageEngine {
        if let databaseURL { return try await PostgresEngine.open(url: databaseURL) }
        return try SQLiteEngine.open(path: databasePath)
    }

    /// Creates the directory (0700), a key file with a fresh KEK (unless keys come from the
    /// environment), the database and its system keys.
    /// - Throws: `StoreError` if already initialised; `KeyError` if a key file exists.
    @discardableResult
    public func initialize() async throws -> (database: AppDatabase, keys: KeyProvider) {
        if databaseURL == nil, FileManager.default.fileExists(atPath: databasePath) {
            throw StoreError(code: .alreadyInitialized, message: "\(path) already holds a Consentry database")
        }
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let engine = try await openEngine()
        if databaseURL != nil, try await Self.holdsInstallation(engine) {
            try? engine.close()
            throw StoreError(code: .alreadyInitialized, message: "\(databaseDisplayName) already holds a Consentry installation")
        }
        if case .file(let file) = keySource {
            try file.create(try KeyRing.generate())
        }
        let database = AppDatabase(engine: engine)
        let keys = try await KeyProvider.load(source: keySource, database: database)
        try await database.recordOperatorEvent(action: "init", detail: "initialised with keys from \(keySource.label)")
        return (database, keys)
    }

    /// Opens an initialised installation, loading and checking its keys.
    /// - Throws: `StoreError` if not initialised, `KeyError` for missing, insecure or wrong keys.
    public func open() async throws -> (database: AppDatabase, keys: KeyProvider) {
        let notInitialized = StoreError(
            code: .notInitialized,
            message: "no Consentry installation at \(databaseURL == nil ? URL(fileURLWithPath: path).standardizedFileURL.path : databaseDisplayName): pass --data-dir (and --database) of the installation you mean, or run `consentry init` there to create a new, empty one")
        if databaseURL == nil, !FileManager.default.fileExists(atPath: databasePath) { throw notInitialized }
        // Check the keys before touching the database: a missing or group-readable key file
        // is refused without side effects.
        let ring = try keySource.load()
        let engine = try await openEngine()
        if databaseURL != nil, try await !Self.holdsInstallation(engine) {
            try? engine.close()
            throw notInitialized
        }
        let database = AppDatabase(engine: engine)
        return (database, try await KeyProvider.load(source: keySource, database: database, ring: ring))
    }
}
