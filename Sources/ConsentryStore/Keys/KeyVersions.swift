import ConsentryStorage
import Foundation
import ConsentryRecords

/// The KEK versions as the database records them, authoritative for every server and the
/// CLI: `keys rotate` raises the active version here in the same transaction as its operator
/// event, and every write that wraps a data key checks it, so a server whose key ring is
/// behind (not yet reloaded) cannot wrap under a version that is about to be retired.
public enum KeyVersions {
    static let activeName = "active_kek_version"
    static let minimumName = "min_kek_version"
    /// How long a server's heartbeat counts as alive (it beats every `heartbeatInterval`).
    public static let heartbeatInterval: Duration = .seconds(5)
    static let heartbeatLifetime: TimeInterval = 20

    /// The active version the database records, `nil` before the first record.
    public static func active(_ db: any StorageConnection) throws -> UInt32? {
        try db.fetchValue(UInt32.self, "SELECT value FROM key_state WHERE name = ?", [activeName])
    }

    /// Records `version` as active, never lowering it.
    static func raiseActive(to version: UInt32, _ db: any StorageConnection) throws {
        try db.execute(
            """
            INSERT INTO key_state (name, value) VALUES (?, ?)
            ON CONFLICT(name) DO UPDATE SET value = excluded.value WHERE key_state.value < excluded.value
            """, [activeName, version])
    }

    static func raiseMinimum(to version: UInt32, _ db: any StorageConnection) throws {
        try db.execute(
            """
            INSERT INTO key_state (name, value) VALUES (?, ?)
            ON CONFLICT(name) DO UPDATE SET value = excluded.value WHERE key_state.value < excluded.value
            """, [minimumName, version])
    }

    /// Refuses a write that wrapped a key under `version` when the database's active version
    /// is newer: the caller reloads its keys and seals again (`StoreError.staleKeys`).
    static func checkWrap(version: Int, _ db: any StorageConnection) throws {
        if let active = try active(db), UInt32(clamping: version) < active {
            throw StoreError.staleKeys(wrappedUnder: UInt32(clamping: version), active: active)
        }
    }

    /// Records that server `id` wraps under `version` now.
    public static func beat(serverID: String, version: UInt32, _ db: any StorageConnection) throws {
        try db.execute(
            """
            INSERT INTO server_heartbeat (id, active_kek_version, seen_at) VALUES (?, ?, ?)
            ON CONFLICT(id) DO UPDATE SET active_kek_version = excluded.active_kek_version, seen_at = excluded.seen_at
            """, [serverID, version, Date()])
    }

    public static func forget(serverID: String, _ db: any StorageConnection) throws {
        try db.execute("DELETE FROM server_heartbeat WHERE id = ?", [serverID])
    }

    /// Live servers still wrapping under a version below `version`.
    static func liveServers(below version: UInt32, _ db: any StorageConnection) throws -> Int {
        try db.fetchValue(
            Int.self, "SELECT COUNT(*) FROM server_heartbeat WHERE active_kek_version < ? AND seen_at > ?",
            [version, Date(timeIntervalSinceNow: -heartbeatLifetime)]) ?? 0
    }

    /// The oldest KEK version a wrapped key in the database uses (index lookups only).
    public static func oldestInUse(_ db: any StorageConnection) throws -> UInt32? {
        let customers = try db.fetchValue(UInt32.self, "SELECT MIN(kek_version) FROM customer")
        let system = try db.fetchValue(UInt32.self, "SELECT MIN(kek_version) FROM system_key")
        return [customers, system].compactMap { $0 }.min()
    }
}
