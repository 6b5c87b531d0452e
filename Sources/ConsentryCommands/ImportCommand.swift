import ArgumentParser
import ConsentryStore

struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import customers from JSON Lines (.jsonl) or CSV (.csv); idempotent by externalId.",
        discussion: "Bad rows are written to <FILE>.rejects.jsonl with their line number and reason; good rows are imported.")

    @OptionGroup var data: DataOptions

    @Argument(help: "The file to import.")
    var file: String

    @Option(help: "jsonl or csv (default: from the file extension).")
    var format: String?

    @Option(help: "Where to write rejected rows (default: <FILE>.rejects.jsonl).")
    var rejects: String?

    @Option(help: "Rows per committed batch.")
    var batchSize: Int = 5000

    func run() async throws {
        let (database, keys) = try await data.dataDirectory.open()
        let store = EncryptedCustomerStore(database: database, keys: keys)
        let format = try format.map { value in
            guard let parsed = CustomerImporter.Format(rawValue: value) else { throw ValidationError("--format must be jsonl or csv") }
            return parsed
        }
        var bar = ProgressBar(label: "import")
        let report = try await CustomerImporter(store: store, batchSize: batchSize).run(
            path: file, format: format, rejectsPath: rejects
        ) { progress in
            bar.update(done: progress.bytesRead, total: progress.totalBytes, unit: "bytes")
        }
        bar.finish()
        print("read \(report.rowsRead) rows: imported \(report.imported), already present \(report.skippedExisting), rejected \(report.rejected)")
        if let path = report.rejectsPath { print("rejected rows (line number and reason): \(path)") }
        if report.rejected > 0 { throw ExitCode(2) }
    }
}
