/// The Merkle tree of Certificate Transparency (RFC 9162 §2.1, as RFC 6962): leaf and node
/// hashes with domain separation, the root of any prefix, and inclusion and consistency
/// proofs with their verification.
///
/// A tree's hashes come from a `source` that knows the hash of every *perfect* subtree
/// (2^level leaves starting at `index * 2^level`): a store keeps exactly those, so a proof
/// in a tree of any size needs O(log² n) lookups at worst, never a walk over the leaves.
public enum MerkleTree {
    /// The hash of a perfect subtree: `level` 0 is a leaf, `index` counts subtrees of that level.
    public typealias Source = (_ level: Int, _ index: Int) throws -> [UInt8]

    /// `SHA-256(0x00 || data)`.
    public static func leafHash(_ data: [UInt8]) -> [UInt8] { SHA256.hash([0] + data) }

    /// `SHA-256(0x01 || left || right)`.
    public static func nodeHash(_ left: [UInt8], _ right: [UInt8]) -> [UInt8] { SHA256.hash([1] + left + right) }

    /// The largest power of two smaller than `n` (n ≥ 2).
    static func split(_ n: Int) -> Int {
        var k = 1
        while k << 1 < n { k <<= 1 }
        return k
    }

    /// The hash of leaves `start..<end`: stored perfect subtrees, combined as RFC 9162 splits.
    public static func subtreeHash(_ start: Int, _ end: Int, source: Source) throws -> [UInt8] {
        let count = end - start
        precondition(count > 0, "an empty range has no subtree")
        if count & (count - 1) == 0, start % count == 0 {
            return try source(count.trailingZeroBitCount, start / count)
        }
        let k = split(count)
        return nodeHash(try subtreeHash(start, start + k, source: source), try subtreeHash(start + k, end, source: source))
    }

    /// The root of the first `size` leaves (the hash of nothing for an empty tree).
    public static func root(size: Int, source: Source) throws -> [UInt8] {
        size == 0 ? SHA256.hash([UInt8]()) : try subtreeHash(0, size, source: source)
    }

    /// The audit path of leaf `index` in the tree of the first `size` leaves (RFC 9162 §2.1.3.1).
    public static func inclusionProof(index: Int, size: Int, source: Source) throws -> [[UInt8]] {
        precondition(index >= 0 && index < size, "the leaf is outside the tree")
        func path(_ lo: Int, _ hi: Int) throws -> [[UInt8]] {
            guard hi - lo > 1 else { return [] }
            let k = split(hi - lo)
            if index < lo + k { return try path(lo, lo + k) + [try subtreeHash(lo + k, hi, source: source)] }
            return try path(lo + k, hi) + [try subtreeHash(lo, lo + k, source: source)]
        }
        return try path(0, size)
    }

    /// The proof that the tree of `from` leaves is a prefix of the tree of `to` (RFC 9162 §2.1.4.1).
    public static func consistencyProof(from: Int, to: Int, source: Source) throws -> [[UInt8]] {
        precondition(from > 0 && from <= to, "a consistency proof runs from a non-empty tree to one at least as big")
        func subproof(_ m: Int, _ lo: Int, _ hi: Int, _ complete: Bool) throws -> [[UInt8]] {
            if m == hi - lo { return complete ? [] : [try subtreeHash(lo, hi, source: source)] }
            let k = split(hi - lo)
            if m <= k { return try subproof(m, lo, lo + k, complete) + [try subtreeHash(lo + k, hi, source: source)] }
            return try subproof(m - k, lo + k, hi, false) + [try subtreeHash(lo, lo + k, source: source)]
        }
        return try subproof(from, 0, to, true)
    }

    /// Whether `proof` shows the leaf hash `leaf` at `index` in the tree of `size` leaves with `root` (RFC 9162 §2.1.3.2).
    public static func verifyInclusion(leaf: [UInt8], index: Int, size: Int, proof: [[UInt8]], root: [UInt8]) -> Bool {
        guard index >= 0, index < size else { return false }
        var fn = index, sn = size - 1
        var r = leaf
        for p in proof {
            guard sn != 0 else { return false }
            if fn & 1 == 1 || fn == sn {
                r = nodeHash(p, r)
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 {
                        fn >>= 1
                        sn >>= 1
                    }
                }
            } else {
                r = nodeHash(r, p)
            }
            fn >>= 1
            sn >>= 1
        }
        return sn == 0 && r == root
    }

    /// Whether `proof` shows the tree of `from` leaves with `fromRoot` to be a prefix of the tree
    /// of `to` leaves with `toRoot` (RFC 9162 §2.1.4.2).
    public static func verifyConsistency(from: Int, to: Int, fromRoot: [UInt8], toRoot: [UInt8], proof: [[UInt8]]) -> Bool {
        guard from > 0, from <= to else { return false }
        if from == to { return proof.isEmpty && fromRoot == toRoot }
        guard !proof.isEmpty else { return false }
        let path = from & (from - 1) == 0 ? [fromRoot] + proof : proof
        var fn = from - 1, sn = to - 1
        while fn & 1 == 1 {
            fn >>= 1
            sn >>= 1
        }
        var fr = path[0], sr = path[0]
        for c in path.dropFirst() {
            guard sn != 0 else { return false }
            if fn & 1 == 1 || fn == sn {
                fr = nodeHash(c, fr)
                sr = nodeHash(c, sr)
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 {
                        fn >>= 1
                        sn >>= 1
                    }
                }
            } else {
                sr = nodeHash(sr, c)
            }
            fn >>= 1
            sn >>= 1
        }
        return sn == 0 && fr == fromRoot && sr == toRoot
    }
}

extension MerkleTree {
    /// A whole tree in memory, every perfect subtree kept: for tests and for verifiers that
    /// hold all the leaves.
    public struct InMemory: Sendable {
        /// `levels[0]` are the leaf hashes; `levels[l][i]` the perfect subtree `(l, i)`.
        public private(set) var levels: [[[UInt8]]] = [[]]

        public init(leaves: [[UInt8]] = []) {
            for leaf in leaves { append(leaf) }
        }

        public var size: Int { levels[0].count }

        /// Appends a leaf hash and every perfect subtree it completes.
        public mutating func append(_ leaf: [UInt8]) {
            levels[0].append(leaf)
            var level = 0
            var index = levels[0].count - 1
            while index & 1 == 1 {
                let node = MerkleTree.nodeHash(levels[level][index - 1], levels[level][index])
                level += 1
                index >>= 1
                if levels.count == level { levels.append([]) }
                levels[level].append(node)
            }
        }

        public func node(_ level: Int, _ index: Int) -> [UInt8] { levels[level][index] }

        public func root(size: Int? = nil) -> [UInt8] { try! MerkleTree.root(size: size ?? self.size, source: node) }
    }
}
