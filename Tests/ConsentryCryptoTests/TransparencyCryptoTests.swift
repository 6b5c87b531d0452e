import Foundation
import Testing
@testable import ConsentryCrypto

@Suite("Ed25519 and the RFC 9162 Merkle tree")
struct TransparencyCryptoTests {
    static func bytes(_ hex: String) -> [UInt8] {
        var out: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            out.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        return out
    }

    @Test("Ed25519 signs and verifies as RFC 8032 §7.1 says", arguments: [
        // TEST 1 (empty message), TEST 2 (one byte), TEST 3 (two bytes).
        ("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60", "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
         "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"),
        ("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb", "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
         "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"),
        ("c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7", "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
         "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"),
    ])
    func ed25519Vectors(vector: (String, String, String, String)) throws {
        let key = try Ed25519PrivateKey(seed: SecureBytes(copying: Self.bytes(vector.0)))
        #expect(key.publicKey == Self.bytes(vector.1))
        let message = Self.bytes(vector.2)
        let signature = try key.signature(for: message)
        #expect(signature == Self.bytes(vector.3))
        #expect(Ed25519.isValidSignature(signature, for: message, publicKey: key.publicKey))
        var altered = signature
        altered[10] ^= 1
        #expect(!Ed25519.isValidSignature(altered, for: message, publicKey: key.publicKey))
        #expect(!Ed25519.isValidSignature(signature, for: message + [0], publicKey: key.publicKey))
        #expect(!Ed25519.isValidSignature(signature, for: message, publicKey: Array(repeating: 7, count: 32)))
        #expect(!Ed25519.isValidSignature(Array(signature.prefix(63)), for: message, publicKey: key.publicKey))
    }

    /// The roots of Certificate Transparency's reference tests for the first 1...8 of its eight leaves.
    @Test("roots match Certificate Transparency's reference tree")
    func knownRoots() {
        let leaves = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"].map { MerkleTree.leafHash(Self.bytes($0)) }
        let tree = MerkleTree.InMemory(leaves: leaves)
        let roots = [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
            "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4", "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
            "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c", "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
        ]
        for (index, root) in roots.enumerated() { #expect(tree.root(size: index + 1).hexString == root, "size \(index + 1)") }
        #expect(MerkleTree.InMemory().root() == SHA256.hash([UInt8]()))
    }

    /// The tree as RFC 9162 defines it, by recursion over the leaf hashes: the reference the
    /// stored-subtree implementation is checked against.
    static func reference(_ leaves: ArraySlice<[UInt8]>) -> [UInt8] {
        guard leaves.count > 1 else { return leaves.first! }
        let k = MerkleTree.split(leaves.count)
        return MerkleTree.nodeHash(reference(leaves.prefix(k)), reference(leaves.dropFirst(k)))
    }

    @Test("for random sizes, every inclusion and consistency proof verifies, and every tampering fails")
    func properties() throws {
        var generator = SystemRandomNumberGenerator()
        let sizes = Array(1...70) + (0..<12).map { _ in Int.random(in: 71...700, using: &generator) } + [1024, 1025]
        for size in sizes {
            let leaves = (0..<size).map { _ in MerkleTree.leafHash((0..<8).map { _ in UInt8.random(in: 0...255, using: &generator) }) }
            let tree = MerkleTree.InMemory(leaves: leaves)
            let root = tree.root()
            #expect(root == Self.reference(leaves[...]), "size \(size)")
            let indices = size <= 70 ? Array(0..<size) : (0..<40).map { _ in Int.random(in: 0..<size, using: &generator) }
            for index in indices {
                let proof = try MerkleTree.inclusionProof(index: index, size: size, source: tree.node)
                #expect(proof.count <= 64 - size.leadingZeroBitCount)
                #expect(MerkleTree.verifyInclusion(leaf: leaves[index], index: index, size: size, proof: proof, root: root), "size \(size) leaf \(index)")
                // A changed leaf, another position, a truncated tree, a changed path: all fail.
                var changed = leaves[index]
                changed[0] ^= 1
                #expect(!MerkleTree.verifyInclusion(leaf: changed, index: index, size: size, proof: proof, root: root))
                if size > 1 {
                    let other = (index + 1) % size
                    #expect(!MerkleTree.verifyInclusion(leaf: leaves[other], index: index, size: size, proof: proof, root: root), "reordered")
                    #expect(!MerkleTree.verifyInclusion(leaf: leaves[index], index: index, size: size, proof: proof, root: tree.root(size: size - 1)), "truncated")
                    var path = proof
                    path[path.count - 1][5] ^= 0x80
                    #expect(!MerkleTree.verifyInclusion(leaf: leaves[index], index: index, size: size, proof: path, root: root))
                    #expect(!MerkleTree.verifyInclusion(leaf: leaves[index], index: index, size: size, proof: Array(proof.dropLast()), root: root))
                }
            }
            let pairs = size <= 40 ? (1...size).flatMap { m in [(m, size)] + (m < size ? [(m, Int.random(in: m...size, using: &generator))] : []) }
                : (0..<40).map { _ -> (Int, Int) in
                    let m = Int.random(in: 1...size, using: &generator)
                    return (m, Int.random(in: m...size, using: &generator))
                }
            for (m, n) in pairs {
                let proof = try MerkleTree.consistencyProof(from: m, to: n, source: tree.node)
                let old = tree.root(size: m), new = tree.root(size: n)
                #expect(MerkleTree.verifyConsistency(from: m, to: n, fromRoot: old, toRoot: new, proof: proof), "\(m) → \(n)")
                if m < n {
                    // A rewritten past (another old root) or a forged new root fails.
                    var forged = old
                    forged[3] ^= 1
                    #expect(!MerkleTree.verifyConsistency(from: m, to: n, fromRoot: forged, toRoot: new, proof: proof))
                    #expect(!MerkleTree.verifyConsistency(from: m, to: n, fromRoot: old, toRoot: forged, proof: proof))
                    // A log whose old entries were reordered is not an extension.
                    if m >= 2 {
                        var swapped = leaves
                        swapped.swapAt(0, 1)
                        let rewritten = MerkleTree.InMemory(leaves: swapped)
                        let rewrittenProof = try MerkleTree.consistencyProof(from: m, to: n, source: rewritten.node)
                        #expect(!MerkleTree.verifyConsistency(from: m, to: n, fromRoot: old, toRoot: rewritten.root(size: n), proof: rewrittenProof))
                    }
                }
            }
        }
    }
}
