import ArgumentParser
import ConsentryStorage
import ConsentryStore
import Foundation
import ConsentryRecords

/// `consentry migrate`: applies the schema migrations the database lacks (every command and
/// `serve` also does at start) and lists them, so an operator can migrate before a rollout.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply the pending schema migrations to the database (SQLite or --database) and list the applied ones.")

    @OptionGroup var data: DataOptions

    func run() async throws {
        let directory = data.dataDirectory
        // Opening SQLite creates the file: an empty data directory is `init`'s job, not ours.
        guard directory.databaseURL != nil || FileManager.default.fileExists(atPath: directory.databasePath) else {
            throw StoreError(code: .notInitialized, message: "\(directory.path) holds no Consentry database; run `consentry init` first")
        }
        // What runs can take a while (an index over millions of rows): say so before it starts,
        // and afterwards which migrations this run applied and how long they took.
        let before = directory.appliedMigrationsBeforeOpening()
        Terminal.note("migrating \(directory.databaseDisplayName)...")
        let start = ContinuousClock.now
        let engine = try await directory.openEngine()
        let elapsed = ContinuousClock.now - start
        defer { try? engine.close() }
        let table = engine.dialect == .postgres ? "consentry_migration" : "grdb_migrations"
        let column = engine.dialect == .postgres ? "name" : "identifier"
        let applied = try await engine.read { db in try db.fetchColumn(String.self, "SELECT \(column) FROM \(table) ORDER BY \(column)") }
        let now = before.map { known in applied.filter { !known.contains($0) } } ?? []
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print("\(directory.databaseDisplayName): schema up to date, \(applied.count) migrations applied"
            + (now.isEmpty ? "" : String(format: "; %d just now, in %.1f s", now.count, seconds)))
        for name in applied { print("  \(name)" + (now.contains(name) ? "  (applied now)" : "")) }
    }
}
