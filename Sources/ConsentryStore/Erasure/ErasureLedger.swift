import ConsentryCore
import Foundation
import ConsentryStorage
import ConsentryRecords

/// An append-only file of erasures, kept beside the database (`erasure-ledger.jsonl`) so that
/// a restore from a backup taken before an erasure applies it again: an erased customer never
/// comes back. One JSON line per erasure, naming the customer by id only; each append is
/// fsync'ed.
public struct ErasureLedger: Sendable {
    public let path: String

    public struct Entry: Sendable, Equatable, Codable {
        public var customerId: String
        public var erasedAt: Date
        public var requestId: String?

        public init(customerId: String, erasedAt: Date, requestId: String?) {
            self.customerId = customerId
            self.erasedAt = erasedAt
            self.requestId = requestId
        }
    }

    public init(path: String) {
        self.path = path
    }

    public init(dataDirectory: DataDirectory) {
        self.path = (dataDirectory.path as NSString).appendingPathComponent("erasure-ledger.jsonl")
    }

    public func append(_ entries: [Entry]) throws {
        guard !entries.isEmpty else { return }
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        var bytes = Data()
        for entry in entries {
            bytes += try encoder.encode(entry)
            bytes.append(0x0A)
        }
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw StoreError(code: .ledgerUnwritable, message: "cannot open the erasure ledger \(path) (errno \(errno))") }
        defer { close(descriptor) }
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == bytes.count, fsync(descriptor) == 0 else {
            throw StoreError(code: .ledgerUnwritable, message: "cannot write the erasure ledger \(path) (errno \(errno))")
        }
    }

    /// Every recorded erasure; an absent file is an empty ledger.
    /// - Throws: `StoreError` naming the line of a corrupt entry.
    public func entries() throws -> [Entry] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        var result: [Entry] = []
        for (index, line) in data.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() where !line.isEmpty {
            do { result.append(try decoder.decode(Entry.self, from: Data(line))) } catch {
                throw StoreError(code: .ledgerCorrupt, message: "\(path):\(index + 1): not an erasure entry")
            }
        }
        return result
    }

    /// Appends the tombstones of `database` the ledger lacks: an erasure committed just
    /// before a crash, whose append was lost, is recorded on the next start.
    /// - Returns: how many were added.
    @discardableResult
    public func reconcile(with database: AppDatabase) async throws -> Int {
        let known = Set(try entries().map(\.customerId))
        let tombstones = try await database.read { db in
            try db.fetchAll("SELECT customer_id, erased_at, request_id FROM erasure_tombstone ORDER BY erased_at")
        }
        let missing = tombstones.filter { !known.contains($0["customer_id"]) }
            .map { Entry(customerId: $0["customer_id"], erasedAt: $0["erased_at"], requestId: $0["request_id"]) }
        try append(missing)
        return missing.count
    }
}
