import ArgumentParser
import ConsentryPolicy
import ConsentryStore
import Foundation

struct ConsentsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consents", abstract: "Consent history: migration from a legacy CRM.", subcommands: [Import.self])

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import consent, objection and restriction events (JSON Lines); rejects go to <FILE>.rejects.jsonl with line numbers (exit 2).")
        @OptionGroup var data: DataOptions
        @OptionGroup var policy: PolicyOptions
        @Argument(help: "The JSON Lines file.") var file: String
        @Option(help: "Where rejected lines go (default: <FILE>.rejects.jsonl).") var rejects: String?

        func run() async throws {
            let loaded = try policy.load().policy
            let (database, keys) = try await data.dataDirectory.open()
            let journal = ChangeJournal(audit: AuditLog(database: database, keys: keys), outbox: EventOutbox(database: database), policy: { loaded })
            let importer = ConsentImporter(journal: journal, store: EncryptedCustomerStore(database: database, keys: keys), policy: loaded)
            var bar = ProgressBar(label: "consents import")
            let report = try await importer.run(path: file, rejectsPath: rejects) { bar.update(done: $0, total: $1, unit: "bytes", force: $0 == $1) }
            bar.finish()
            print("read \(report.read) events: imported \(report.imported), already present \(report.alreadyPresent), rejected \(report.rejected)")
            if let path = report.rejectsPath {
                print("rejected lines (line number and reason): \(path)")
                throw ExitCode(2)
            }
        }
    }
}
