import ConsentryCrypto

/// A signed statement "the chain had `seq` entries, the last with hash `entryHash`".
enum AuditCheckpoint {
    static func mac(seq: Int64, entryHash: [UInt8], signedAt: String, key: SecureBytes) throws -> [UInt8] {
        try HMACSHA256.authenticationCode(for: message(seq: seq, entryHash: entryHash, signedAt: signedAt), using: key)
    }

    static func isValid(_ mac: [UInt8], seq: Int64, entryHash: [UInt8], signedAt: String, key: SecureBytes) throws -> Bool {
        try HMACSHA256.isValid(mac, for: message(seq: seq, entryHash: entryHash, signedAt: signedAt), using: key)
    }

    private static func message(seq: Int64, entryHash: [UInt8], signedAt: String) -> [UInt8] {
        Array("consentry/audit-checkpoint/v1|\(seq)|\(entryHash.hexString)|\(signedAt)".utf8)
    }
}
