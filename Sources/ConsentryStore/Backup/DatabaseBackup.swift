import ConsentryCore
import Foundation
import ConsentrySQLite
import ConsentryStorage
import GRDB
import ConsentryRecords

/// Online backups and restores that never bring an erased customer back.
///
/// A backup is SQLite's online backup of one read snapshot: consistent while the server
/// writes. It is as encrypted as the database (same ciphertexts, same wrapped keys) and
/// needs the same KEKs. A restore copies the backup aside, applies every erasure in the
/// `ErasureLedger` that the backup does not hold yet (with the holds computed as of the
/// original erasure), and only then moves it into place.
public enum DatabaseBackup {
    public struct RestoreReport: Sendable, Equatable {
        /// Erasures from the ledger applied again to the restored data.
        public var reapplied: [String]
        /// Ledger entries the backup already held, or for customers it never had.
        public var alreadyErased: Int
        public var unknownCustomers: Int
    }

    /// Writes a consistent copy of `database` to a new file at `path` (mode 0600).
    /// - Returns: the size of the copy in bytes.
    public static func create(from database: AppDatabase, to path: String) throws -> Int {
        guard let engine = database.engine as? SQLiteEngine else {
            throw StoreError(
                code: .backupUnsupported,
                message: "`consentry backup` copies a SQLite installation; back PostgreSQL up with its own tools (pg_dump, base backups with WAL archiving) and keep the erasure ledger beside them")
        }
        guard !FileManager.default.fileExists(atPath: path) else {
            throw StoreError(code: .backupExists, message: "\(path) already exists; choose a new file")
        }
        // Written in a private (0700) folder beside the target, then linked into place: the
        // target path is never opened by name, so a symlink planted there cannot redirect it.
        let folder = (path as NSString).deletingLastPathComponent
        let staging = (folder.isEmpty ? "." : folder) + "/.consentry-backup-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(atPath: staging) }
        let temporary = staging + "/backup.sqlite"
        try PrivateOutputFile.create(temporary).close()
        let destination = try DatabaseQueue(path: temporary, configuration: SQLiteEngine.makeConfiguration())
        try engine.writer.backup(to: destination)
        try destination.close()
        let size = (try FileManager.default.attributesOfItem(atPath: temporary)[.size] as? Int) ?? 0
        do { try PrivateOutputFile.publish(temporary, at: path) } catch let error as StoreError where error.code == .outputExists {
            throw StoreError(code: .backupExists, message: "\(path) already exists; choose a new file")
        }
        return size
    }

    /// Replaces the database of `directory` with the backup at `backupPath`, re-applying the
    /// ledger's erasures. The server must be stopped. The backup file itself is not changed.
    /// - Throws: `KeyError.wrongKey` when the directory's keys do not open the backup.
    public static func restore(from backupPath: String, into directory: DataDirectory, ledger: ErasureLedger, policy: Policy) async throws -> RestoreReport {
        guard FileManager.default.fileExists(atPath: backupPath) else {
            throw StoreError(code: .backupMissing, message: "no backup at \(backupPath)")
        }
        let staging = directory.databasePath + ".restoring"
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: staging + suffix) }
        try FileManager.default.copyItem(atPath: backupPath, toPath: staging)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: staging)
        var report = RestoreReport(reapplied: [], alreadyErased: 0, unknownCustomers: 0)
        do {
            let engine = try SQLiteEngine.open(path: staging)
            let database = AppDatabase(engine: engine)
            let keys = try await KeyProvider.load(source: directory.keySource, database: database)
            let eraser = CustomerEraser(database: database, keys: keys, ledger: ledger, policy: { policy })
            for entry in try ledger.entries() {
                let state = try await database.read { db in
                    (exists: try db.fetchValue(Int.self, "SELECT 1 FROM customer WHERE id = ?", [entry.customerId]) != nil,
                     erased: try db.fetchValue(Int.self, "SELECT 1 FROM erasure_tombstone WHERE customer_id = ?", [entry.customerId]) != nil)
                }
                if state.erased { report.alreadyErased += 1; continue }
                guard state.exists else { report.unknownCustomers += 1; continue }
                _ = try await eraser.erase(
                    customerID: entry.customerId, requestID: entry.requestId, actor: AuditActor(.system, "restore"), policy: policy,
                    now: entry.erasedAt, correlationID: nil, reapplying: true)
                report.reapplied.append(entry.customerId)
            }
            try await database.recordOperatorEvent(
                action: "restore", detail: "restored from a backup; re-applied \(report.reapplied.count) erasures from the ledger")
            try await engine.discardOldPageImages()
            try engine.close()
        } catch {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: staging + suffix) }
            throw error
        }
        // The old database's WAL and shm belong to the file being replaced.
        for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: directory.databasePath + suffix) }
        try? FileManager.default.removeItem(atPath: staging + "-shm")
        try? FileManager.default.removeItem(atPath: staging + "-wal")
        guard rename(staging, directory.databasePath) == 0 else {
            throw StoreError(code: .restoreFailed, message: "cannot move the restored database into place (errno \(errno))")
        }
        return report
    }
}
