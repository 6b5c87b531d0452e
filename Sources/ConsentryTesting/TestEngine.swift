import ConsentryPostgres
import ConsentryStorage
import Foundation
import Synchronization

/// The engine the suite runs on, chosen by `CONSENTRY_TEST_ENGINE` (`sqlite`, the default, or
/// `postgres` with `CONSENTRY_TEST_POSTGRES_URL`): one suite, run once per engine by
/// `scripts/test.sh`, never two copies of it.
public enum TestEngine: String, Sendable {
    case sqlite
    case postgres

    public static var current: TestEngine {
        let name = ProcessInfo.processInfo.environment["CONSENTRY_TEST_ENGINE"] ?? "sqlite"
        guard let engine = TestEngine(rawValue: name) else { fatalError("CONSENTRY_TEST_ENGINE must be sqlite or postgres, not \(name)") }
        return engine
    }

    /// The server the PostgreSQL pass uses; each installation gets a database of its own on it.
    public static var postgresServerURL: String {
        guard let url = ProcessInfo.processInfo.environment["CONSENTRY_TEST_POSTGRES_URL"], !url.isEmpty else {
            fatalError("CONSENTRY_TEST_ENGINE=postgres needs CONSENTRY_TEST_POSTGRES_URL (scripts/test.sh starts a server)")
        }
        return url
    }

    private static let counter = Atomic<Int>(0)

    /// Creates an empty database on the test server and returns its URL.
    public static func makePostgresDatabase() async throws -> String {
        let server = postgresServerURL
        let name = "consentry_t_\(getpid())_\(counter.add(1, ordering: .relaxed).newValue)_\(UInt32.random(in: 0...UInt32.max))"
        let admin = try await PostgresEngine.open(url: server, size: 1)
        defer { try? admin.close() }
        _ = try await admin.writeWithoutTransaction { db in try db.execute("CREATE DATABASE \(name)", []) }
        guard var components = URLComponents(string: server) else { fatalError("bad CONSENTRY_TEST_POSTGRES_URL") }
        components.path = "/" + name
        return components.string!
    }
}
