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

    /// Adds the leaves of the entries up to `seq` (the batch just written, and any entry the
    /// tree lacks, as after an upgrade), and signs a head when the last one is old enough.
    static func extend(through seq: Int64, _ db: any StorageConnection, keys: KeyManager, forceHead: Bool = false) throws {
        var size = try leafCount(db)
        var frontier: [Int: [UInt8]] = [:]
        while Int64(size) < seq {
            let rows = try db.fetchAll(
                "SELECT seq, occurred_at, actor_kind, actor_id, action, customer_id, purpose, fields, outcome FROM audit_entry WHERE seq > ? ORDER BY seq LIMIT 2000",
                [Int64(size)])
            guard !rows.isEmpty else { break }
            for row in rows {
                let leaf = try Self.leaf(row, keys: keys)
                guard leaf.seq == Int64(size) + 1 else {
                    throw StoreError(code: .auditTampered, message: "the audit trail skips from entry \(size) to \(leaf.seq); refusing to extend the transparency log")
                }
                try append(leaf.hash, at: size, db, frontier: &frontier)
                size += 1
            }
        }
        let last = try db.fetchOne("SELECT tree_size, signed_at FROM transparency_head ORDER BY tree_size DESC LIMIT 1")
        let now = Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
        let lastSize: Int64 = last?["tree_size"] ?? 0
        let lastAt: Int64 = last?["signed_at"] ?? 0
        if Int64(size) > lastSize && (forceHead || now - lastAt >= headInterval) {
            try signHead(size: size, at: max(now, lastAt), db, keys: keys)
        }
    }

    /// Stores leaf `index` and every perfect subtree it completes.
    private static func append(_ leaf: [UInt8], at index: Int, _ db: any StorageConnection, frontier: inout [Int: [UInt8]]) throws {
        try db.execute("INSERT INTO transparency_node (level, idx, hash) VALUES (?, ?, ?)", [0, Int64(index), Data(leaf)])
        var node = leaf
        var level = 0
        var position = index
        while position & 1 == 1 {
            let left = try frontier[level] ?? Self.node(level: level, index: position - 1, db)
            node = MerkleTree.nodeHash(left, node)
            level += 1
            position >>= 1
            try db.execute("INSERT INTO transparency_node (level, idx, hash) VALUES (?, ?, ?)", [Int64(level), Int64(position), Data(node)])
        }
        // A completed subtree at `level` is the left sibling of the next one to complete there.
        frontier[level] = node
    }

    private static func signHead(size: Int, at timestamp: Int64, _ db: any StorageConnection, keys: KeyManager) throws {
        let root = try MerkleTree.root(size: size) { level, index in try node(level: level, index: index, db) }
        let signature = try keys.treeHeadKey.signature(for: SignedTreeHead.message(treeSize: size, rootHash: root, timestamp: timestamp))
        try db.execute(
            "INSERT INTO transparency_head (tree_size, root_hash, signed_at, signature) VALUES (?, ?, ?, ?)",
            [Int64(size), Data(root), timestamp, Data(signature)])
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
            guard let top = try db.fetchValue("SELECT MAX(seq) FROM audit_entry", as: Int64.self) else { return }
            try Self.extend(through: top, db, keys: manager, forceHead: true)
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
