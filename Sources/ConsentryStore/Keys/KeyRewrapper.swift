import ConsentryCrypto
import Foundation
import ConsentryStorage

/// Re-wraps every data key (and system key) to the active KEK version, in batches, while
/// the server keeps serving.
///
/// Each batch is one short write transaction: a crash loses at most the batch in flight,
/// which rolls back, and the next run continues from the rows still on an older version.
/// Nothing but the wrapped key and its version column changes; field ciphertext is untouched.
public struct KeyRewrapper: Sendable {
    public let database: AppDatabase
    public let ring: KeyRing
    public var batchSize: Int

    public init(database: AppDatabase, ring: KeyRing, batchSize: Int = 500) {
        self.database = database
        self.ring = ring
        self.batchSize = max(1, batchSize)
    }

    /// How many wrapped keys are on an older version than the active one.
    public func pendingCount() async throws -> Int {
        let active = Int(ring.activeVersion)
        return try await database.read { db in
            try db.fetchValue(Int.self, "SELECT COUNT(*) FROM customer WHERE kek_version < ?", [active])!
                + db.fetchValue(Int.self, "SELECT COUNT(*) FROM system_key WHERE kek_version < ?", [active])!
        }
    }

    /// Runs to completion and returns how many keys it re-wrapped.
    /// - Parameters:
    ///   - progress: called after each committed batch with (done, total).
    ///   - beforeCommit: called inside each batch's transaction with the batch number; a test
    ///     throws here to simulate a crash mid-batch.
    public func run(
        progress: (Int, Int) -> Void = { _, _ in },
        beforeCommit: @escaping @Sendable (Int) throws -> Void = { _ in }
    ) async throws -> Int {
        let total = try await pendingCount()
        // System keys first (one small batch), then the customers' data keys.
        var done = try await rewrapBatch(of: .systemKeys, size: Int.max) {}
        var batch = 0
        while true {
            batch += 1
            let number = batch
            let count = try await rewrapBatch(of: .dataKeys, size: batchSize) { try beforeCommit(number) }
            if count == 0 { break }
            done += count
            progress(done, total)
        }
        return done
    }

    /// Where wrapped keys live, and the associated data each is bound to.
    struct WrappedKeyTable: Sendable {
        var table: String
        var idColumn: String
        var wrappedColumn: String
        var context: @Sendable (String) -> [UInt8]

        static let dataKeys = WrappedKeyTable(table: "customer", idColumn: "id", wrappedColumn: "wrapped_dek", context: KeyManager.dataKeyContext)
        static let systemKeys = WrappedKeyTable(table: "system_key", idColumn: "name", wrappedColumn: "wrapped", context: KeyManager.systemKeyContext)
    }

    /// Re-wraps up to `size` keys still on an older version, in one transaction.
    /// - Returns: how many it re-wrapped; 0 when none is left.
    private func rewrapBatch(
        of keys: WrappedKeyTable, size: Int, beforeCommit: @escaping @Sendable () throws -> Void
    ) async throws -> Int {
        let ring = self.ring
        let active = Int(ring.activeVersion)
        return try await database.write { db in
            // A ring behind the database's active version would re-wrap to an old version.
            try KeyVersions.checkWrap(version: active, db)
            let rows = try db.fetchAll("SELECT \(keys.idColumn) AS id, \(keys.wrappedColumn) AS wrapped FROM \(keys.table) WHERE kek_version < ? ORDER BY \(keys.idColumn) LIMIT ?", [active, min(size, Int(Int32.max))])
            for row in rows {
                let id: String = row["id"]
                try db.execute("UPDATE \(keys.table) SET \(keys.wrappedColumn) = ?, kek_version = ? WHERE \(keys.idColumn) = ?", [try Self.rewrap(row["wrapped"], context: keys.context(id), ring: ring), active, id])
            }
            if !rows.isEmpty { try beforeCommit() }
            return rows.count
        }
    }

    /// Unwraps with whichever version wrapped the key and wraps again with the active one.
    private static func rewrap(_ wrapped: Data, context: [UInt8], ring: KeyRing) throws -> Data {
        Data(try ring.wrap(ring.unwrap(Array(wrapped), context: context), context: context))
    }
}
