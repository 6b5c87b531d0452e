import ConsentryCrypto
import Foundation
import ConsentryStorage

/// Rotation and retirement of KEK versions (the Vault transit model).
public struct KeyAdministration: Sendable {
    public let source: KeySource
    public let database: AppDatabase

    public init(source: KeySource, database: AppDatabase) {
        self.source = source
        self.database = database
    }

    /// Adds a new KEK version and makes it active. Existing DEKs stay readable under their
    /// old version until `rewrap` moves them.
    /// - Returns: the new active version.
    public func rotate() async throws -> UInt32 {
        var ring = try source.load()
        try ring.rotate()
        try source.save(ring)
        let active = ring.activeVersion
        // The database now says: wrap under `active`. A server still on the old ring is
        // refused at its next wrap, reloads, and seals again.
        try await database.recordOperatorEvent(
            action: "keys.rotate", detail: "activated KEK version \(active)", signal: .keysChanged,
            alongside: { db in try KeyVersions.raiseActive(to: active, db) })
        return ring.activeVersion
    }

    /// Drops KEK versions below `version` from the key file, refusing while any wrapped key
    /// still uses one of them.
    public func retire(below version: UInt32) async throws -> [UInt32] {
        var ring = try source.load()
        guard version <= ring.activeVersion else { throw KeyError.cannotRetireActive(active: ring.activeVersion) }
        let stillUsed = try await database.read { db in
            try db.fetchValue(Int.self, "SELECT COUNT(*) FROM customer WHERE kek_version < ?", [Int(version)])!
                + db.fetchValue(Int.self, "SELECT COUNT(*) FROM system_key WHERE kek_version < ?", [Int(version)])!
        }
        guard stillUsed == 0 else { throw KeyError.versionsStillInUse(below: version, count: stillUsed) }
        // A running server that has not reloaded would wrap new keys under a retired version.
        let (servers, databaseActive) = try await database.read { db in (try KeyVersions.liveServers(below: version, db), try KeyVersions.active(db)) }
        guard servers == 0 else { throw KeyError.serversStillUsing(below: version, count: servers) }
        if let databaseActive, databaseActive < version { throw KeyError.cannotRetireActive(active: databaseActive) }
        let retired = ring.versions.filter { $0 < version }
        try ring.retire(below: version)
        try source.save(ring)
        try await database.recordOperatorEvent(
            action: "keys.retire", detail: "retired KEK versions \(retired.map(String.init).joined(separator: ",")); minimum decryption version \(version)", signal: .keysChanged,
            alongside: { db in try KeyVersions.raiseMinimum(to: version, db) })
        return retired
    }
}
