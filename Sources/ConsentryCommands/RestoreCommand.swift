import ArgumentParser
import ConsentryPolicy
import ConsentryStore
import Foundation

struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Replace the database with a backup, then apply again every erasure recorded since: an erased customer never comes back.",
        discussion: "Stop the server first. The backup file is not modified; the data directory's key file must open it.")
    @OptionGroup var data: DataOptions
    @OptionGroup var policy: PolicyOptions
    @Option(help: "The backup file.") var from: String

    func run() async throws {
        let policies = try policy.load()
        let directory = data.dataDirectory
        // Refused while a server runs on the directory: its later writes would be lost.
        let lock = try InstallationLock(directory: directory, purpose: "restore")
        defer { withExtendedLifetime(lock) {} }
        let ledger = ErasureLedger(dataDirectory: directory)
        // The database being replaced may know erasures the ledger missed (a crash between the two).
        if await directory.isInitialized, let current = try? await directory.open() {
            try await ledger.reconcile(with: current.database)
            try current.database.close()
        }
        let report = try await DatabaseBackup.restore(from: from, into: directory, ledger: ledger, policy: policies.policy)
        print("restored \(from) into \(directory.databasePath)")
        print("erasures re-applied from the ledger: \(report.reapplied.count); already in the backup: \(report.alreadyErased); customers not in the backup: \(report.unknownCustomers)")
    }
}
