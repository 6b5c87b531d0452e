import ConsentryStorage
import Dispatch
import Foundation
import Synchronization
import ConsentryRecords

/// Copies an installation from one database to another as it is (`consentry migrate-store`):
/// every row of every table, byte for byte. Ciphertexts, wrapped keys, blind indexes and the
/// audit chain are not re-computed, so the same key source opens the copy and `audit
/// verify` checks the same chain.
public struct StoreCopier: Sendable {
    /// The tables in an order that satisfies their foreign keys, with each auto-incremented
    /// column whose counter must continue after the copied rows.
    public static let tables: [(name: String, sequence: String?)] = [
        ("customer", nil), ("blind_index", nil), ("system_key", nil), ("operator_event", "id"), ("api_key", nil),
        ("audit_entry", nil), ("audit_checkpoint", nil), ("consent_event", "id"), ("consent_state", nil),
        ("processing_restriction", nil), ("consent_receipt", nil), ("data_subject_request", nil), ("event_outbox", "seq"),
        ("event_subscription", nil), ("event_delivery", nil), ("event_acknowledgement", nil), ("erasure_tombstone", nil),
        // The KEK versions the installation stands at; servers' heartbeats and web sessions
        // (sign in again on the new store) are not copied.
        ("key_state", nil),
        // The transparency log as it is: its heads were signed over these very nodes.
        ("transparency_node", nil), ("transparency_head", nil),
        ("personal_data_breach", nil), ("breach_customer", nil),
    ]

    public struct Report: Sendable, Equatable {
        /// Rows per table, counted again in the target after the copy.
        public var rows: [String: Int]
    }

    public let source: AppDatabase
    public let target: AppDatabase
    public var batchSize: Int

    public init(source: AppDatabase, target: AppDatabase, batchSize: Int = 200) {
        self.source = source
        self.target = target
        self.batchSize = batchSize
    }

    /// - Throws: `StoreError` when the target already holds data or a count differs after
    ///   the copy; engine failures as they come (the target is then partly filled: recreate it).
    public func run(progress: @escaping @Sendable (String, Int) -> Void = { _, _ in }) async throws -> Report {
        let targetRows = try await target.read { db in
            try Self.tables.reduce(0) { sum, table in sum + (try db.fetchValue(Int.self, "SELECT COUNT(*) FROM \(table.name)") ?? 0) }
        }
        guard targetRows == 0 else {
            throw StoreError(code: .targetNotEmpty, message: "the target database already holds \(targetRows) rows; copy into an empty database")
        }
        var report = Report(rows: [:])
        for table in Self.tables {
            let copied = try await copy(table.name)
            progress(table.name, copied)
            if let column = table.sequence { try await continueSequence(table: table.name, column: column) }
            let counts = (
                source: try await source.read { db in try db.fetchValue(Int.self, "SELECT COUNT(*) FROM \(table.name)") ?? 0 },
                target: try await target.read { db in try db.fetchValue(Int.self, "SELECT COUNT(*) FROM \(table.name)") ?? 0 })
            guard counts.source == counts.target, counts.target == copied else {
                throw StoreError(code: .copyMismatch, message: "\(table.name): \(counts.source) rows in the source, \(counts.target) in the target after copying \(copied)")
            }
            report.rows[table.name] = counts.target
        }
        return report
    }

    /// Streams the source table and writes it in batches of multi-row inserts. The source's
    /// read runs on the engine's own thread and waits there for each batch's commit, so
    /// memory holds one batch whatever the table's size.
    private func copy(_ table: String) async throws -> Int {
        let target = self.target
        let batchSize = self.batchSize
        return try await source.read { db in
            var batch: [SQLRow] = []
            var copied = 0
            func flush() throws {
                guard let first = batch.first else { return }
                let rows = batch
                batch.removeAll(keepingCapacity: true)
                let columns = first.columns
                let placeholders = "(" + Array(repeating: "?", count: columns.count).joined(separator: ", ") + ")"
                let sql = "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES "
                    + Array(repeating: placeholders, count: rows.count).joined(separator: ", ")
                let arguments: [(any SQLValueConvertible)?] = rows.flatMap { row in row.values.map { $0 as (any SQLValueConvertible)? } }
                try Self.wait { try await target.write { target in try target.execute(sql, arguments) } }
                copied += rows.count
            }
            try db.forEach("SELECT * FROM \(table)", []) { row in
                batch.append(row)
                if batch.count >= batchSize { try flush() }
            }
            try flush()
            return copied
        }
    }

    /// Sets the target's counter past the copied keys (PostgreSQL identity sequences; SQLite
    /// keeps its own in `sqlite_sequence`, updated by the inserts).
    private func continueSequence(table: String, column: String) async throws {
        guard target.dialect == .postgres else { return }
        _ = try await target.write { db in
            try db.execute(
                "SELECT setval(pg_get_serial_sequence(?, ?), COALESCE((SELECT MAX(\(column)) FROM \(table)), 0) + 1, false)", [table, column])
        }
    }

    /// Runs async work from a synchronous engine thread (never a Swift concurrency thread).
    static func wait<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
        let semaphore = DispatchSemaphore(value: 0)
        let result = Mutex<Result<T, any Error>?>(nil)
        Task {
            let outcome: Result<T, any Error>
            do { outcome = .success(try await body()) } catch { outcome = .failure(error) }
            result.withLock { $0 = outcome }
            semaphore.signal()
        }
        semaphore.wait()
        return try result.withLock { $0! }.get()
    }
}
