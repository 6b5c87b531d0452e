import ArgumentParser
import ConsentryPostgres
import ConsentrySQLite
import ConsentryStore
import Foundation

/// `consentry migrate-store`: moves a SQLite installation to PostgreSQL as it is.
struct MigrateStoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate-store",
        abstract: "Copy a SQLite installation into an empty PostgreSQL database, byte for byte, then check the counts and the audit trail there.",
        discussion: """
            Stop the server first. Ciphertexts, wrapped keys and the audit chain are copied unchanged: the data directory's key \
            file (or CONSENTRY_KEK) opens the copy, and its erasure ledger stays with it. Afterwards run every command and `serve` \
            with --database (or CONSENTRY_DATABASE_URL).
            """)

    @Option(help: "The SQLite data directory to copy (its consentry.sqlite and key file).") var from: String
    @Option(help: "The PostgreSQL database to copy into (postgres://user[:password]@host[:port]/db).") var to: String
    @Option(help: "The KEK file (default: <from>/kek.json). Ignored when CONSENTRY_KEK is set.") var keyFile: String?

    func run() async throws {
        let directory = DataDirectory(path: from, keyFilePath: keyFile)
        guard FileManager.default.fileExists(atPath: directory.databasePath) else {
            throw CommandFailure(message: "\(from) holds no consentry.sqlite to copy", exitCode: CommandFailure.noInput)
        }
        // The copy must be of a database nobody writes to meanwhile.
        let lock = try InstallationLock(directory: directory, purpose: "migrate-store")
        defer { withExtendedLifetime(lock) {} }
        let source = AppDatabase(engine: try SQLiteEngine.open(path: directory.databasePath))
        let target = AppDatabase(engine: try await PostgresEngine.open(url: to))
        defer {
            try? source.close()
            try? target.close()
        }
        let report = try await StoreCopier(source: source, target: target).run { table, rows in
            Terminal.note("copied \(table): \(rows) rows")
        }
        // The copy opens with the same keys, and its chain verifies there.
        let keys = try await KeyProvider.load(source: directory.keySource, database: target)
        let audit = try await AuditVerifier(database: target, keys: keys).verify()
        guard audit.isIntact else {
            throw ValidationError("the audit trail does not verify in the target: \(audit.problem.map(\.description) ?? "")")
        }
        let total = report.rows.values.reduce(0, +)
        try await target.recordOperatorEvent(action: "migrate-store", detail: "copied \(total) rows from a SQLite installation")
        let location = (try? PostgresLocation(url: to).displayName) ?? "the target"
        print("copied \(total) rows in \(report.rows.count) tables into \(location); counts match")
        print("audit trail intact there: \(audit.entries) entries, head \(audit.headSeq):\(audit.headHash)")
    }
}
