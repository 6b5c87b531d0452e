import ConsentryCore
import ConsentryCrypto
import ConsentryRecords
import ConsentryStorage
import Foundation

/// The audit trail as a Certificate-Transparency-style log that customers can check: a
/// Merkle tree (RFC 9162) with one leaf per audit entry, extended in the same transaction as
/// the entries (so the tree never lags the trail), and tree heads signed with an Ed25519 key
/// whose public half is published.
///
/// The store keeps every perfect subtree (`transparency_node`: level, index, hash): about
/// two rows per entry, and any proof in a tree of n entries is O(log² n) lookups. Heads are
/// signed at most once per `headInterval` by the writer, and on demand when a proof needs
/// an entry newer than the last head (`transparency_head`).
public struct TransparencyLog: Sendable {
    public let database: AppDatabase
    public let keys: KeyProvider

    /// The writer signs a new head when the last is at least this old.
    static let headInterval: Int64 = 1000

    public init(database: AppDatabase, keys: KeyProvider) {
        self.database = database
        self.keys = keys
    }

    /// The raw Ed25519 public key and its id.
    public var publicKey: [UInt8] { keys.current.treeHeadKey.publicKey }
    public var keyID: String { SignedTreeHead.keyID(publicKey) }

    // MARK: Writing (inside the audit batch's transaction)

    /// Adds the leaves of `entries` (the batch just written, numbered from the tree's size + 1)
    /// and of any entry the tree lacks before them (as after an upgrade, read back from the
    /// trail), and signs a head when the last one is old enough (or `forceHead`).
    ///
    /// A handful of statements per batch whatever its size, on PostgreSQL as on SQLite: the
    /// size and the last head in one query, the right edge of the tree in one, the new nodes
    /// in multi-row inserts, and the root from the right edge in memory.
    static func extend(_ entries: [TransparencyLeaf], _ db: any StorageConnection, keys: KeyManager, forceHead: Bool = false) throws {
        let state = try db.fetchOne("""
            SELECT (SELECT COALESCE(MAX(idx) + 1, 0) FROM transparency_node WHERE level = 0) AS size,
                   (SELECT COALESCE(MAX(tree_size), 0) FROM transparency_head) AS head_size,
                   (SELECT COALESCE(MAX(signed_at), 0) FROM transparency_head) AS head_at
            """)
        var size = Int(state?["size"] as Int64? ?? 0)
        let lastSize: Int64 = state?["head_size"] ?? 0
        let lastAt: Int64 = state?["head_at"] ?? 0
        var edge = try rightEdge(size: size, db)
        var rows: [(Int, Int, [UInt8])] = []
        func add(_ leaf: TransparencyLeaf) throws {
            guard leaf.seq == Int64(size) + 1 else {
                throw StoreError(code: .auditTampered, message: "the audit trail skips from entry \(size) to \(leaf.seq); refusing to extend the transparency log")
            }
            var node = leaf.hash
            rows.append((0, size, node))
            var level = 0, position = size
            while position & 1 == 1 {
                node = MerkleTree.nodeHash(edge[level]!, node)
                edge[level] = nil
                level += 1
                position >>= 1
                rows.append((level, position, node))
            }
            edge[level] = node
            size += 1
        }
        // Entries the tree lacks (a trail from before the log, or one written meanwhile).
        let firstNew: Int64
        if let first = entries.first { firstNew = first.seq } else { firstNew = (try db.fetchValue("SELECT MAX(seq) FROM audit_entry", as: Int64.self) ?? 0) + 1 }
        while Int64(size) + 1 < firstNew {
            let missing = try db.fetchAll(
                "SELECT seq, occurred_at, actor_kind, actor_id, action, customer_id, purpose, fields, outcome FROM audit_entry WHERE seq > ? AND seq < ? ORDER BY seq LIMIT 5000",
                [Int64(size), firstNew])
            guard !missing.isEmpty else { break }
            for row in missing { try add(try leaf(row, keys: keys)) }
            try insert(&rows, db)
        }
        for entry in entries { try add(entry) }
        try insert(&rows, db)
        let now = Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
        if Int64(size) > lastSize && (forceHead || now - lastAt >= headInterval) {
            // The root of the tree is its right edge folded from the smallest subtree up.
            let root = edge.keys.sorted().map { edge[$0]! }.reduce(nil as [UInt8]?) { right, left in right.map { MerkleTree.nodeHash(left, $0) } ?? left }!
            let timestamp = max(now, lastAt)
            let signature = try keys.treeHeadKey.signature(for: SignedTreeHead.message(treeSize: size, rootHash: root, timestamp: timestamp))
            try db.execute(
                "INSERT INTO transparency_head (tree_size, root_hash, signed_at, signature) VALUES (?, ?, ?, ?)",
                [Int64(size), Data(root), timestamp, Data(signature)])
        }
    }

    /// The perfect subtrees that make up a tree of `size` leaves, by level: one per bit of `size`.
    static func rightEdge(size: Int, _ db: any StorageConnection) throws -> [Int: [UInt8]] {
        let wanted = (0..<Int.bitWidth).filter { size >> $0 & 1 == 1 }.map { level in (level, (size >> level) - 1) }
        guard !wanted.isEmpty else { return [:] }
        let rows = try db.fetchAll(
            "SELECT level, hash FROM transparency_node WHERE " + Array(repeating: "(level = ? AND idx = ?)", count: wanted.count).joined(separator: " OR "),
            wanted.flatMap { [Int64($0.0), Int64($0.1)] as [(any SQLValueConvertible)?] })
        var edge: [Int: [UInt8]] = [:]
        for row in rows {
            let level: Int64 = row["level"]
            edge[Int(level)] = Array(row["hash"] as Data)
        }
        guard edge.count == wanted.count else {
            throw StoreError(code: .auditTampered, message: "the transparency log lacks part of its right edge at size \(size)")
        }
        return edge
    }

    /// Writes the pending node rows, several per statement.
    private static func insert(_ rows: inout [(Int, Int, [UInt8])], _ db: any StorageConnection) throws {
        for chunk in stride(from: 0, to: rows.count, by: 300).map({ rows[$0..<min($0 + 300, rows.count)] }) {
            try db.execute(
                "INSERT INTO transparency_node (level, idx, hash) VALUES " + Array(repeating: "(?, ?, ?)", count: chunk.count).joined(separator: ", "),
                chunk.flatMap { [Int64($0.0), Int64($0.1), Data($0.2)] as [(any SQLValueConvertible)?] })
        }
        rows.removeAll(keepingCapacity: true)
    }

    static func leafCount(_ db: any StorageConnection) throws -> Int {
        Int(try db.fetchValue("SELECT COALESCE(MAX(idx) + 1, 0) FROM transparency_node WHERE level = 0", as: Int64.self) ?? 0)
    }

    static func node(level: Int, index: Int, _ db: any StorageConnection) throws -> [UInt8] {
        guard let hash = try db.fetchValue("SELECT hash FROM transparency_node WHERE level = ? AND idx = ?", [Int64(level), Int64(index)], as: Data.self) else {
            throw StoreError(code: .auditTampered, message: "the transparency log lacks node \(level)/\(index)")
        }
        return Array(hash)
    }

    static func leaf(_ row: SQLRow, keys: KeyManager) throws -> TransparencyLeaf {
        let seq: Int64 = row["seq"]
        return TransparencyLeaf(
            seq: seq, occurredAt: row["occurred_at"], actorKind: row["actor_kind"], actorID: row["actor_id"], action: row["action"],
            customerID: row["customer_id"], purpose: row["purpose"], fields: row["fields"], outcome: row["outcome"],
            salt: try TransparencyLeaf.salt(seq: seq, key: keys.leafSaltKey))
    }

    // MARK: Reading

    /// The newest signed head; `nil` before the first audit entry.
    public func latestHead() async throws -> SignedTreeHead? {
        try await database.read { db in try db.fetchOne("SELECT * FROM transparency_head ORDER BY tree_size DESC LIMIT 1").map(Self.head) }
    }

    /// The head signed at exactly `size` entries, if one was.
    public func head(size: Int) async throws -> SignedTreeHead? {
        try await database.read { db in try db.fetchOne("SELECT * FROM transparency_head WHERE tree_size = ?", [Int64(size)]).map(Self.head) }
    }

    /// A head that covers entry `seq`: the newest, or a new one signed now if the newest is older.
    public func head(covering seq: Int64) async throws -> SignedTreeHead? {
        if let latest = try await latestHead(), Int64(latest.treeSize) >= seq { return latest }
        let manager = keys.current
        try await database.write { db in
            try db.lock(.auditChain)
            try Self.extend([], db, keys: manager, forceHead: true)
        }
        return try await latestHead()
    }

    static func head(_ row: SQLRow) -> SignedTreeHead {
        let size: Int64 = row["tree_size"]
        return SignedTreeHead(
            treeSize: Int(size), rootHash: Array(row["root_hash"] as Data), timestamp: row["signed_at"], signature: Array(row["signature"] as Data))
    }

    /// Entry `seq` as its leaf, with its salt.
    public func leaf(seq: Int64) async throws -> TransparencyLeaf? {
        let manager = keys.current
        return try await database.read { db in
            try db.fetchOne(
                "SELECT seq, occurred_at, actor_kind, actor_id, action, customer_id, purpose, fields, outcome FROM audit_entry WHERE seq = ?", [seq]
            ).map { try Self.leaf($0, keys: manager) }
        }
    }

    /// The inclusion proof of entry `seq` in the tree of `size` entries.
    public func inclusionProof(seq: Int64, size: Int) async throws -> [[UInt8]] {
        try await database.read { db in
            try MerkleTree.inclusionProof(index: Int(seq - 1), size: size) { level, index in try Self.node(level: level, index: index, db) }
        }
    }

    /// The consistency proof from the tree of `from` entries to the tree of `to`.
    public func consistencyProof(from: Int, to: Int) async throws -> [[UInt8]] {
        try await database.read { db in
            try MerkleTree.consistencyProof(from: from, to: to) { level, index in try Self.node(level: level, index: index, db) }
        }
    }

    /// The root the stored nodes give for `size` entries (the heads must agree with it).
    public func root(size: Int) async throws -> [UInt8] {
        try await database.read { db in try MerkleTree.root(size: size) { level, index in try Self.node(level: level, index: index, db) } }
    }
}
