import ConsentryCrypto
import Synchronization

/// The current `KeyManager`, reloadable while the server runs.
///
/// `consentry keys rotate` changes the key file from another process; a running server
/// picks the new version up the first time it meets a DEK wrapped by a version it does not
/// know (after a rewrap), or when told to reload (SIGHUP).
public final class KeyProvider: Sendable {
    public let source: KeySource
    private let database: AppDatabase
    private let state: Mutex<KeyManager>

    /// - Parameter ring: the ring already read from `source`, to avoid reading it twice.
    public static func load(source: KeySource, database: AppDatabase, ring: KeyRing? = nil) async throws -> KeyProvider {
        let manager = try await KeyManager.load(ring: ring ?? source.load(), database: database)
        return KeyProvider(source: source, database: database, manager: manager)
    }

    private init(source: KeySource, database: AppDatabase, manager: KeyManager) {
        self.source = source
        self.database = database
        self.state = Mutex(manager)
    }

    public var current: KeyManager { state.withLock { $0 } }

    /// Re-reads the KEKs from their source.
    public func reload() async throws {
        let manager = try await KeyManager.load(ring: source.load(), database: database)
        state.withLock { $0 = manager }
    }

    /// Runs `body`; if it fails on a KEK version this process has not loaded, reloads the
    /// keys once and retries.
    func withReload<T>(_ body: (KeyManager) throws -> T) async throws -> T {
        do { return try body(current) } catch CryptoError.unknownKeyVersion {
            try await reload()
            return try body(current)
        }
    }
}
