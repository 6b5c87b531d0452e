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
        let engine = try await directory.openEngine()
        defer { try? engine.close() }
        let table = engine.dialect == .postgres ? "consentry_migration" : "grdb_migrations"
        let column = engine.dialect == .postgres ? "name" : "identifier"
        let applied = try await engine.read { db in try db.fetchColumn(String.self, "SELECT \(column) FROM \(table) ORDER BY \(column)") }
        print("\(directory.databaseDisplayName): schema up to date, \(applied.count) migrations applied")
        for name in applied { print("  \(name)") }
    }
}
