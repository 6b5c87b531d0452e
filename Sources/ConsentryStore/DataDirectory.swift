import ConsentryCrypto
import Foundation

/// The files of one Consentry installation: `consentry.sqlite` (+ WAL) and, unless the keys
/// come from `CONSENTRY_KEK`, the key file `kek.json` (mode 0600).
public struct DataDirectory: Sendable {
    public let path: String
    public let keyFilePath: String
    public let environment: [String: String]

    public init(path: String, keyFilePath: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.path = path
        self.keyFilePath = keyFilePath ?? (path as NSString).appendingPathComponent("kek.json")
        self.environment = environment
    }

    public var databasePath: String { (path as NSString).appendingPathComponent("consentry.sqlite") }
    public var keySource: KeySource { KeySource.resolve(keyFilePath: keyFilePath, environment: environment) }
    public var isInitialized: Bool { FileManager.default.fileExists(atPath: databasePath) }

    /// Creates the directory (0700), a key file with a fresh KEK (unless keys come from the
    /// environment), the database and its system keys.
    /// - Throws: `StoreError` if already initialised; `KeyError` if a key file exists.
    @discardableResult
    public func initialize() async throws -> (database: AppDatabase, keys: KeyProvider) {
        guard !isInitialized else {
            throw StoreError(code: "already_initialized", message: "\(path) already holds a Consentry database")
        }
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        if case .file(let file) = keySource {
            try file.create(try KeyRing.generate())
        }
        let database = try AppDatabase.open(path: databasePath)
        let keys = try await KeyProvider.load(source: keySource, database: database)
        try await database.recordOperatorEvent(action: "init", detail: "initialised with keys from \(keySource.label)")
        return (database, keys)
    }

    /// Opens an initialised installation, loading and checking its keys.
    /// - Throws: `StoreError` if not initialised, `KeyError` for missing, insecure or wrong keys.
    public func open() async throws -> (database: AppDatabase, keys: KeyProvider) {
        guard isInitialized else {
            throw StoreError(code: "not_initialized", message: "\(path) holds no Consentry database; run `consentry init --data-dir \(path)`")
        }
        // Check the keys before touching the database: a missing or group-readable key file
        // is refused without side effects.
        let ring = try keySource.load()
        let database = try AppDatabase.open(path: databasePath)
        return (database, try await KeyProvider.load(source: keySource, database: database, ring: ring))
    }
}
