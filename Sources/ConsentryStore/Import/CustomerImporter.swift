import ConsentryCore
import Foundation
import GRDB

/// Imports customers from a JSON Lines or CSV file, streamed with constant memory and
/// committed in batches.
///
/// - Idempotent by `externalId`: a row whose externalId is already stored is skipped, so a
///   re-run after a crash or of the same file adds nothing. Rows without externalId are
///   always created.
/// - Bad rows go to a rejects file (JSON Lines: line number, externalId, issues with field
///   paths; never the values), and the good rows are still imported.
public struct CustomerImporter: Sendable {
    public enum Format: String, Sendable {
        case jsonLines = "jsonl"
        case csv

        /// From the file extension: `.csv` is CSV, anything else JSON Lines.
        public static func detect(path: String) -> Format {
            path.lowercased().hasSuffix(".csv") ? .csv : .jsonLines
        }
    }

    public struct Report: Sendable, Equatable {
        public var rowsRead = 0
        public var imported = 0
        public var skippedExisting = 0
        public var rejected = 0
        public var rejectsPath: String?
    }

    public struct Progress: Sendable {
        public var bytesRead: Int
        public var totalBytes: Int
        public var rowsRead: Int
        public var imported: Int
    }

    public let store: EncryptedCustomerStore
    public var batchSize: Int
    /// How many tasks encrypt a batch in parallel.
    public var parallelism: Int

    public init(store: EncryptedCustomerStore, batchSize: Int = 1000, parallelism: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.store = store
        self.batchSize = max(1, batchSize)
        self.parallelism = max(1, parallelism)
    }

    /// Imports `path`. Rejected rows are written to `rejectsPath` (default: `<path>.rejects.jsonl`),
    /// which is removed when every row was good.
    /// - Throws: only for problems with the whole file (unreadable, bad CSV header) or the
    ///   database; row problems become rejects.
    public func run(
        path: String, format: Format? = nil, rejectsPath: String? = nil, today: Date = Date(),
        progress: (Progress) -> Void = { _ in }
    ) async throws -> Report {
        let format = format ?? .detect(path: path)
        let reader = try LineReader(path: path)
        let rejects = RejectsWriter(path: rejectsPath ?? path + ".rejects.jsonl")
        let validator = CustomerValidator(today: today)
        var report = Report()
        var counts = BatchCounts()
        var csv = CSVParser()
        var mapping: CustomerCSVMapping?
        var pending: [(line: Int, draft: CustomerDraft)] = []
        let decoder = JSONDecoder()

        // Rejects are held per batch and written in line order when the batch is done.
        var heldRejects: [RejectsWriter.Entry] = []
        func reject(_ line: Int, externalId: String?, _ issues: [ValidationIssue]) throws {
            report.rejected += 1
            heldRejects.append(.init(line: line, externalId: externalId, issues: issues))
        }
        func flushRejects() throws {
            for entry in heldRejects.sorted(by: { $0.line < $1.line }) { try rejects.write(entry) }
            heldRejects.removeAll()
        }

        while let line = reader.next() {
            let lineNumber = reader.lineNumber
            switch format {
            case .jsonLines:
                if line.allSatisfy(\.isWhitespace) { continue }
                report.rowsRead += 1
                do {
                    let draft = try decoder.decode(CustomerDraft.self, from: Data(line.utf8))
                    pending.append((lineNumber, draft))
                } catch let error as DecodingError {
                    try reject(lineNumber, externalId: nil, ValidationError(decoding: error).issues)
                }
            case .csv:
                let record: CSVParser.Record?
                do { record = try csv.feed(line.utf8, lineNumber: lineNumber) } catch let error as CSVParser.ParseError {
                    report.rowsRead += 1
                    try reject(lineNumber, externalId: nil, [.init(path: "row", code: "malformed_csv", message: error.description)])
                    continue
                }
                guard let record else { continue }
                if record.fields == [""] { continue }
                guard let columns = mapping else {
                    do { mapping = try CustomerCSVMapping(header: record.fields) } catch let error as ValidationError {
                        throw StoreError(code: "bad_csv_header", message: "line \(record.line): \(error.description)")
                    }
                    continue
                }
                report.rowsRead += 1
                do { pending.append((record.line, try columns.draft(from: record.fields))) } catch let error as ValidationError {
                    try reject(record.line, externalId: nil, error.issues)
                }
            }
            if pending.count >= batchSize {
                try await importBatch(pending, validator: validator, counts: &counts, reject: reject)
                pending.removeAll(keepingCapacity: true)
                try flushRejects()
                progress(Progress(bytesRead: reader.bytesRead, totalBytes: reader.totalBytes, rowsRead: report.rowsRead, imported: counts.imported))
            }
        }
        if format == .csv {
            do { try csv.finish() } catch let error as CSVParser.ParseError {
                report.rowsRead += 1
                try reject(reader.lineNumber, externalId: nil, [.init(path: "row", code: "malformed_csv", message: error.description)])
            }
        }
        if !pending.isEmpty { try await importBatch(pending, validator: validator, counts: &counts, reject: reject) }
        try flushRejects()
        report.imported = counts.imported
        report.skippedExisting = counts.skippedExisting
        progress(Progress(bytesRead: reader.bytesRead, totalBytes: reader.totalBytes, rowsRead: report.rowsRead, imported: report.imported))
        report.rejectsPath = try rejects.finish()
        return report
    }

    /// Validates, encrypts (in parallel) and commits one batch in one transaction.
    private func importBatch(
        _ rows: [(line: Int, draft: CustomerDraft)], validator: CustomerValidator, counts: inout BatchCounts,
        reject: (Int, String?, [ValidationIssue]) throws -> Void
    ) async throws {
        var valid: [(line: Int, draft: CustomerDraft)] = []
        for row in rows {
            do {
                try validator.validate(row.draft)
                valid.append(row)
            } catch let error as ValidationError {
                try reject(row.line, row.draft.externalId, error.issues)
            }
        }
        // One read for the whole batch: which rows exist already, and which references resolve.
        let wanted = Set(valid.compactMap(\.draft.externalId) + valid.flatMap { $0.draft.profile.relatedParty.compactMap(\.externalId) })
        let stored = try await store.database.writer.read { db in
            try EncryptedCustomerStore.customerIDs(forExternalIDs: Array(wanted), db)
        }
        var known = stored
        var fresh: [(line: Int, draft: CustomerDraft, id: String)] = []
        for row in valid {
            if let externalId = row.draft.externalId {
                if known[externalId] != nil {
                    counts.skippedExisting += 1
                    continue
                }
                let id = EncryptedCustomerStore.newID()
                known[externalId] = id
                fresh.append((row.line, row.draft, id))
            } else {
                fresh.append((row.line, row.draft, EncryptedCustomerStore.newID()))
            }
        }
        let references = known
        let keys = store.keys.current
        let store = self.store
        let chunkSize = max(1, (fresh.count + parallelism - 1) / parallelism)
        let outcomes = try await withThrowingTaskGroup(of: [SealOutcome].self) { group in
            for start in stride(from: 0, to: fresh.count, by: chunkSize) {
                let chunk = Array(fresh[start..<min(start + chunkSize, fresh.count)])
                group.addTask {
                    try chunk.map { row in
                        do { return .sealed(try store.seal(row.draft, id: row.id, resolvingWith: references, keys: keys)) } catch let error as StoreError {
                            return .rejected(line: row.line, externalId: row.draft.externalId, error)
                        }
                    }
                }
            }
            var all: [SealOutcome] = []
            for try await part in group { all += part }
            return all
        }
        var ready: [EncryptedCustomerStore.SealedCustomer] = []
        for outcome in outcomes {
            switch outcome {
            case .sealed(let customer): ready.append(customer)
            case .rejected(let line, let externalId, let error):
                try reject(line, externalId, [.init(path: error.path ?? "row", code: error.code, message: error.message)])
            }
        }
        let sealed = ready
        let inserted = try await store.database.writer.write { db -> Int in
            var inserted = 0
            for customer in sealed {
                // Another importer may have stored the same externalId since the read above.
                if let externalId = customer.record.externalId,
                   try EncryptedCustomerStore.customerIDs(forExternalIDs: [externalId], db)[externalId] != nil {
                    continue
                }
                try customer.insert(db)
                inserted += 1
            }
            return inserted
        }
        counts.imported += inserted
        counts.skippedExisting += sealed.count - inserted
    }
}

/// What the batches stored, kept apart from `Report` so the reject callback can update the
/// report while a batch runs.
private struct BatchCounts {
    var imported = 0
    var skippedExisting = 0
}

/// The result of encrypting one row of a batch.
private enum SealOutcome: Sendable {
    case sealed(EncryptedCustomerStore.SealedCustomer)
    case rejected(line: Int, externalId: String?, StoreError)
}

/// Writes rejected rows as JSON Lines, creating the file only when there is a reject.
final class RejectsWriter {
    let path: String
    private var handle: FileHandle?
    private let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    struct Entry: Encodable {
        var line: Int
        var externalId: String?
        var issues: [ValidationIssue]
    }

    init(path: String) {
        self.path = path
        try? FileManager.default.removeItem(atPath: path)  // a stale file from an earlier run would mislead
    }

    func write(_ entry: Entry) throws {
        if handle == nil {
            guard FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]),
                  let opened = FileHandle(forWritingAtPath: path) else {
                throw StoreError(code: "unwritable_rejects", message: "cannot write rejects file \(path)")
            }
            handle = opened
        }
        var data = try encoder.encode(entry)
        data.append(0x0A)
        try handle!.write(contentsOf: data)
    }

    /// Closes the file; returns its path if anything was rejected.
    func finish() throws -> String? {
        guard let handle else { return nil }
        try handle.close()
        return path
    }
}
