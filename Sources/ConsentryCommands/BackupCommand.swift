import ArgumentParser
import ConsentryStore
import Foundation

struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Write a consistent online copy of the database (the server may keep running).",
        discussion: "The copy is as encrypted as the database and needs the same key file. Keep the erasure ledger (<data-dir>/erasure-ledger.jsonl) with the key file, not with the backups: `consentry restore` re-applies it.")
    @OptionGroup var data: DataOptions
    @Option(help: "The new backup file.") var to: String

    func run() async throws {
        let directory = data.dataDirectory
        let (database, _) = try await directory.open()
        // An erasure whose ledger line was lost in a crash is recorded before anything is copied.
        let reconciled = try await ErasureLedger(dataDirectory: directory).reconcile(with: database)
        let bytes = try DatabaseBackup.create(from: database, to: to)
        try await database.recordOperatorEvent(action: "backup", detail: "online backup written (\(bytes) bytes)")
        print("backup written to \(to) (\(bytes) bytes, mode 0600)" + (reconciled > 0 ? "; \(reconciled) erasures added to the ledger" : ""))
    }
}
