import ConsentryCrypto
import Foundation

/// What one leaf of the transparency log commits to: an audit entry as its customer reads it
/// (number, time, who, what, for which purpose, which fields, outcome) and a salt.
///
/// The salt (HMAC-SHA256 of the entry number under a key derived from the checkpoint key)
/// makes every leaf hash unguessable: a sibling hash in someone's proof, or a tree head,
/// says nothing about which customer, module or purpose produced another entry. The
/// customer receives their own entry's salt with its proof, and nothing else.
public struct TransparencyLeaf: Sendable, Equatable {
    public var seq: Int64
    public var occurredAt: String
    public var actorKind: String
    public var actorID: String
    public var action: String
    public var customerID: String?
    public var purpose: String?
    /// As the audit trail stores them, comma-separated.
    public var fields: String
    public var outcome: String
    public var salt: [UInt8]

    public init(
        seq: Int64, occurredAt: String, actorKind: String, actorID: String, action: String, customerID: String?, purpose: String?, fields: String,
        outcome: String, salt: [UInt8]
    ) {
        self.seq = seq
        self.occurredAt = occurredAt
        self.actorKind = actorKind
        self.actorID = actorID
        self.action = action
        self.customerID = customerID
        self.purpose = purpose
        self.fields = fields
        self.outcome = outcome
        self.salt = salt
    }

    static let domain = Array("consentry-transparency-leaf/v1".utf8)

    /// The leaf's bytes: each part as a 4-byte big-endian length and its bytes (UTF-8 for text),
    /// in this order: the domain tag, the salt, the entry number in decimal, the time, the
    /// actor kind and id, the action, the customer id, the purpose, the fields, the outcome
    /// (an absent value is empty). `scripts/transparency-verify.py` builds the same bytes.
    public var data: [UInt8] {
        var out: [UInt8] = []
        for part in [Self.domain, salt] + [String(seq), occurredAt, actorKind, actorID, action, customerID ?? "", purpose ?? "", fields, outcome].map({ Array($0.utf8) }) {
            let length = UInt32(part.count)
            out += [UInt8(length >> 24), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF)]
            out += part
        }
        return out
    }

    /// `SHA-256(0x00 || data)`, the hash the tree holds.
    public var hash: [UInt8] { MerkleTree.leafHash(data) }

    /// The salt of entry `seq`.
    public static func salt(seq: Int64, key: SecureBytes) throws -> [UInt8] {
        var number = seq.bigEndian
        let bytes = withUnsafeBytes(of: &number) { Array($0) }
        return try HMACSHA256.authenticationCode(for: Array("leaf-salt".utf8) + bytes, using: key)
    }
}
