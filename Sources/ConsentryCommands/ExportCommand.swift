import ArgumentParser
import ConsentryStore
import Foundation

struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write every customer, decrypted, as JSON Lines (re-importable). Recorded as an operator event.")

    @OptionGroup var data: DataOptions

    @Option(name: .shortAndLong, help: "Output file (created with mode 0600); '-' for standard output.")
    var output: String = "-"

    func run() async throws {
        let (database, keys) = try await data.dataDirectory.open()
        let exporter = CustomerExporter(store: EncryptedCustomerStore(database: database, keys: keys))
        let handle: FileHandle
        if output == "-" {
            handle = .standardOutput
        } else {
            // Plaintext personal data: a new file readable by the operator only, opened once.
            handle = try PrivateOutputFile.create(output)
        }
        let total = try await exporter.store.count()
        var bar = ProgressBar(label: "export")
        let report = try await exporter.run(
            destination: output == "-" ? "stdout" : output, progress: { bar.update(done: $0, total: total, unit: "customers") },
            write: { try handle.write(contentsOf: $0) })
        bar.update(done: report.exported, total: total, unit: "customers", force: true)
        bar.finish()
        if output != "-" { try handle.close() }
        Terminal.note("exported \(report.exported) customers (recorded as an operator event)")
        if !report.undecryptable.isEmpty {
            Terminal.note("skipped \(report.undecryptable.count) customers that do not decrypt (a corrupt row, or a key under a KEK version no longer in the key file):")
            for id in report.undecryptable { Terminal.note("  \(id)") }
            throw ExitCode(65)
        }
    }
}
