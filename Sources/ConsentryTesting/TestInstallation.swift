import ConsentryCore
import ConsentryStore
import Foundation
import ConsentryRecords

/// A temporary directory removed when the value is released.
public final class TemporaryDirectory: Sendable {
    public let path: String

    public init(prefix: String = "consentry-test") throws {
        let template = (NSTemporaryDirectory() as NSString).appendingPathComponent("\(prefix)-XXXXXX")
        var bytes = Array(template.utf8CString)
        guard let created = mkdtemp(&bytes) else { throw StoreError(code: .outputUnwritable, message: "mkdtemp failed") }
        path = String(cString: created)
    }

    public func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// A real installation (SQLite file, key file with mode 0600) in a temporary directory.
public struct TestInstallation: Sendable {
    public let directory: TemporaryDirectory
    public let dataDirectory: DataDirectory
    public let database: AppDatabase
    public let keys: KeyProvider
    public let store: EncryptedCustomerStore

    /// The engine of this run (`TestEngine.current`): SQLite in the temporary directory, or a
    /// fresh PostgreSQL database on the test server.
    public static func make(environment: [String: String] = [:], engine: TestEngine = .current) async throws -> TestInstallation {
        let directory = try TemporaryDirectory()
        let databaseURL = engine == .postgres ? try await TestEngine.makePostgresDatabase() : nil
        let dataDirectory = DataDirectory(path: directory.file("data"), databaseURL: databaseURL, environment: environment)
        let (database, keys) = try await dataDirectory.initialize()
        return TestInstallation(directory: directory, dataDirectory: dataDirectory, database: database, keys: keys,
                                store: EncryptedCustomerStore(database: database, keys: keys))
    }

    /// Writes `count` synthetic customers as a JSON Lines file and returns its path.
    public func writeSyntheticFile(count: Int, name: String = "customers.jsonl") throws -> String {
        let path = directory.file(name)
        let generator = SyntheticCustomers()
        var data = Data()
        for index in 0..<count { data.append(try SyntheticCustomers.jsonLine(generator.draft(index))) }
        try data.write(to: URL(fileURLWithPath: path))
        return path
    }
}

/// The repository's `Fixtures/` folder, found from this source file.
public enum RepositoryFixtures {
    public static var directory: String {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            let candidate = url.appendingPathComponent("Fixtures")
            if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("customers.jsonl").path) { return candidate.path }
        }
        return "Fixtures"
    }

    public static func path(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }

    /// The repository's shipped `Policies/` folder.
    public static var policiesDirectory: String {
        ((directory as NSString).deletingLastPathComponent as NSString).appendingPathComponent("Policies")
    }
}
