import ConsentryCrypto
import Foundation
import ConsentryStorage

/// What `consentry keys status` reports: each KEK version and how many wrapped keys use it.
public struct KeyStatus: Sendable, Equatable, Codable {
    public struct Version: Sendable, Equatable, Codable {
        public var version: UInt32
        public var active: Bool
        /// `false` for a version still referenced by the database but no longer loaded.
        public var loaded: Bool
        public var dataKeys: Int
        public var systemKeys: Int
        public var createdAt: Date?
    }

    public var source: String
    public var activeVersion: UInt32
    public var versions: [Version]

    /// Counts wrapped keys per version in `database` for the versions of `ring`.
    public static func read(ring: KeyRing, source: KeySource, database: AppDatabase) async throws -> KeyStatus {
        // Rows are not Sendable: reduce them to counts inside the read.
        let (dataKeys, systemKeys) = try await database.read { db -> ([UInt32: Int], [UInt32: Int]) in
            func counts(_ sql: String) throws -> [UInt32: Int] {
                Dictionary(uniqueKeysWithValues: try db.fetchAll(sql).map { (UInt32($0["kek_version"] as Int), $0["n"] as Int) })
            }
            return (
                try counts("SELECT kek_version, COUNT(*) AS n FROM customer GROUP BY kek_version"),
                try counts("SELECT kek_version, COUNT(*) AS n FROM system_key GROUP BY kek_version")
            )
        }
        let created: [UInt32: Date] = if case .file(let file) = source { file.creationDates() } else { [:] }
        let all = Set(ring.versions).union(dataKeys.keys).union(systemKeys.keys).sorted()
        return KeyStatus(
            source: source.label, activeVersion: ring.activeVersion,
            versions: all.map { version in
                Version(
                    version: version, active: version == ring.activeVersion, loaded: ring.keys[version] != nil,
                    dataKeys: dataKeys[version] ?? 0, systemKeys: systemKeys[version] ?? 0, createdAt: created[version])
            })
    }
}
