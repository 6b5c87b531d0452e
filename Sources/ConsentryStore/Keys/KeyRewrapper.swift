import ConsentryCrypto
import Foundation
import GRDB

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
        return try await database.writer.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM customer WHERE kek_version < ?", arguments: [active])!
                + Int.fetchOne(db, sql: "SELECT COUNT(*) FROM system_key WHERE kek_version < ?", arguments: [active])!
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
        let active = Int(ring.activeVersion)
        let ring = self.ring
        var done = 0
        var batch = 0
        let systemCount = try await database.writer.write { db in
            let rows = try Row.fetchAll(db, sql: "SELECT name, wrapped FROM system_key WHERE kek_version < ?", arguments: [active])
            for row in rows {
                let name: String = row["name"]
                let context = KeyManager.systemKeyContext(name)
                try db.execute(
                    sql: "UPDATE system_key SET wrapped = ?, kek_version = ? WHERE name = ?",
                    arguments: [try Self.rewrap(row["wrapped"], context: context, ring: ring), active, name])
            }
            return rows.count
        }
        done += systemCount
        while true {
            batch += 1
            let number = batch
            let size = batchSize
            let count = try await database.writer.write { db in
                let rows = try Row.fetchAll(
                    db, sql: "SELECT id, wrapped_dek FROM customer WHERE kek_version < ? ORDER BY id LIMIT ?", arguments: [active, size])
                for row in rows {
                    let id: String = row["id"]
                    let context = KeyManager.dataKeyContext(id)
                    try db.execute(
                        sql: "UPDATE customer SET wrapped_dek = ?, kek_version = ? WHERE id = ?",
                        arguments: [try Self.rewrap(row["wrapped_dek"], context: context, ring: ring), active, id])
                }
                if !rows.isEmpty { try beforeCommit(number) }
                return rows.count
            }
            if count == 0 { break }
            done += count
            progress(done, total)
        }
        return done
    }

    /// Unwraps with whichever version wrapped the key and wraps again with the active one.
    private static func rewrap(_ wrapped: Data, context: [UInt8], ring: KeyRing) throws -> Data {
        Data(try ring.wrap(ring.unwrap(Array(wrapped), context: context), context: context))
    }
}
