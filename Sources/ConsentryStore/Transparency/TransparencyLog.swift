import ConsentryCore
import ConsentryCrypto
import ConsentryRecords
import ConsentryStorage
import Foundation
import Synchronization

/// The audit trail as a Certificate-Transparency-style log that customers can check: a
/// Merkle tree (RFC 9162) with one leaf per audit entry, extended right after each audit
/// batch commits (`catchUp`), and tree heads signed with an Ed25519 key whose public half is
/// published.
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

    // MARK: Writing (right after each audit batch, off its path)

    /// Brings the tree up to the trail: reads the entries it lacks, builds and hashes their
    /// leaves outside any transaction, then appends them in a short one under the audit
    /// chain's lock (starting over if another writer got there first), signing a head when
    /// the last is a second old, or at once with `forceHead`.
    ///
    /// The audit writer calls it after each batch has committed, so a request waits for its
    /// durable audit entry, never for the tree; a trail from before the log, or a tail left
    /// by a crash, is caught up the same way.
    public func catchUp(forceHead: Bool = false, cache: TransparencyEdgeCache? = nil) async throws {
        let manager = keys.current
        while true {
            let (start, rows) = try await database.read { db in
                let size = try Self.leafCount(db)
                return (size, try db.fetchAll(
                    "SELECT seq, occurred_at, actor_kind, actor_id, action, customer_id, purpose, fields, outcome FROM audit_entry WHERE seq > ? ORDER BY seq LIMIT 5000",
                    [Int64(size)]))
            }
            var hashes: [[UInt8]] = []
            hashes.reserveCapacity(rows.count)
            for (offset, row) in rows.enumerated() {
                let leaf = try Self.leaf(row, keys: manager)
                guard leaf.seq == Int64(start + offset + 1) else {
                    throw StoreError(code: .auditTampered, message: "the audit trail skips from entry \(start + offset) to \(leaf.seq); the transparency log stops there")
                }
                hashes.append(leaf.hash)
            }
            let last = rows.count < 5000
            let leaves = hashes
            let state: TransparencyEdgeCache.State? = try await database.write { db in
                try db.lock(.auditChain)
                return try Self.extend(leaves, from: start, db, keys: manager, forceHead: forceHead && last, cache: cache)
            }
            if let state { cache?.state.withLock { $0 = state } }
            if state != nil && last { return }
        }
    }

    /// Appends leaf hashes `start...` and signs a head when due. A handful of statements
    /// whatever their number, on PostgreSQL as on SQLite: the size (an index seek), the last
    /// head and the right edge only when `cache` does not hold them for this size, the nodes
    /// in multi-row inserts, the root folded from the right edge in memory.
    /// - Returns: the right edge and head after it, for the caller to remember once committed
    ///   (never before: a rolled-back append must not be remembered); `nil` when the tree is
    ///   no longer `start` leaves (another writer appended: read again).
    static func extend(
        _ hashes: [[UInt8]], from start: Int, _ db: any StorageConnection, keys: KeyManager, forceHead: Bool, cache: TransparencyEdgeCache?
    ) throws -> TransparencyEdgeCache.State? {
        var size = try leafCount(db)
        guard size == start else { return nil }
        var edge: [Int: [UInt8]]
        var lastSize: Int64, lastAt: Int64
        if let known = cache?.state.withLock({ $0 }), known.size == size {
            (edge, lastSize, lastAt) = (known.edge, known.headSize, known.headAt)
        } else {
            let head = try db.fetchOne("SELECT tree_size, signed_at FROM transparency_head ORDER BY tree_size DESC LIMIT 1")
            (lastSize, lastAt) = (head?["tree_size"] ?? 0, head?["signed_at"] ?? 0)
            edge = try rightEdge(size: size, db)
        }
        var rows: [(Int, Int, [UInt8])] = []
        for hash in hashes {
            var node = hash
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
            (lastSize, lastAt) = (Int64(size), timestamp)
        }
        return TransparencyEdgeCache.State(size: size, edge: edge, headSize: lastSize, headAt: lastAt)
    }

    /// The perfect subtrees that make up a tree of `size` leaves, by level: one per bit of `size`.
    static func rightEdge(size: Int, _ db: any StorageConnection) throws -> [Int: [UInt8]] {
        let wanted = (0..<Int.bitWidth).filter { size >> $0 & 1 == 1 }.map { level in (level, (size >> level) - 1) }
        guard !wanted.isEmpty else { return [:] }
        // One lookup by primary key per level, in one statement (an OR of pairs may scan).
        let rows = try db.fetchAll(
            Array(repeating: "SELECT level, hash FROM transparency_node WHERE level = ? AND idx = ?", count: wanted.count).joined(separator: " UNION ALL "),
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
        try await catchUp(forceHead: true)
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

/// The right edge of the tree and the last head as the audit writer left them, so that its
/// next append reads neither (the tree's size is checked first: another process's appends
/// make it read them again). Held by the `AuditLog`.
public final class TransparencyEdgeCache: Sendable {
    public init() {}

    public struct State: Sendable {
        var size: Int
        var edge: [Int: [UInt8]]
        var headSize: Int64
        var headAt: Int64
    }

    let state = Mutex<State?>(nil)
}
