import ConsentryCrypto
import Foundation

/// A tree head: the log's size and root at a time, signed with the log's Ed25519 key.
///
/// The signed bytes are RFC 6962's `TreeHeadSignature`: version 0 (v1), signature type 1
/// (tree_hash), the timestamp in milliseconds and the tree size as 8-byte big-endian
/// integers, and the 32-byte root.
public struct SignedTreeHead: Sendable, Equatable {
    public var treeSize: Int
    public var rootHash: [UInt8]
    /// Milliseconds since 1970.
    public var timestamp: Int64
    public var signature: [UInt8]

    public init(treeSize: Int, rootHash: [UInt8], timestamp: Int64, signature: [UInt8]) {
        self.treeSize = treeSize
        self.rootHash = rootHash
        self.timestamp = timestamp
        self.signature = signature
    }

    public static func message(treeSize: Int, rootHash: [UInt8], timestamp: Int64) -> [UInt8] {
        func bytes(_ value: UInt64) -> [UInt8] { (0..<8).reversed().map { UInt8(value >> (UInt64($0) * 8) & 0xFF) } }
        return [0, 1] + bytes(UInt64(timestamp)) + bytes(UInt64(treeSize)) + rootHash
    }

    public var message: [UInt8] { Self.message(treeSize: treeSize, rootHash: rootHash, timestamp: timestamp) }

    public func isValid(publicKey: [UInt8]) -> Bool {
        rootHash.count == 32 && Ed25519.isValidSignature(signature, for: message, publicKey: publicKey)
    }

    /// The id of a tree-head key: the first 8 bytes of SHA-256 of the public key, in hex.
    public static func keyID(_ publicKey: [UInt8]) -> String { Array(SHA256.hash(publicKey).prefix(8)).hexString }
}
