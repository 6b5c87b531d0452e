import ConsentryCrypto

/// A signed statement "the chain had `seq` entries, the last with hash `entryHash`", naming
/// the key that signed it.
///
/// Message v2 binds the signing key's id (`KeyManager.auditCheckpointKeyID`); v1, without
/// it, is what checkpoints signed before v8 carry (`key_id` NULL).
enum AuditCheckpoint {
    static func mac(seq: Int64, entryHash: [UInt8], signedAt: String, keyID: [UInt8]?, key: SecureBytes) throws -> [UInt8] {
        try HMACSHA256.authenticationCode(for: message(seq: seq, entryHash: entryHash, signedAt: signedAt, keyID: keyID), using: key)
    }

    static func isValid(_ mac: [UInt8], seq: Int64, entryHash: [UInt8], signedAt: String, keyID: [UInt8]?, key: SecureBytes) throws -> Bool {
        try HMACSHA256.isValid(mac, for: message(seq: seq, entryHash: entryHash, signedAt: signedAt, keyID: keyID), using: key)
    }

    private static func message(seq: Int64, entryHash: [UInt8], signedAt: String, keyID: [UInt8]?) -> [UInt8] {
        guard let keyID else { return Array("consentry/audit-checkpoint/v1|\(seq)|\(entryHash.hexString)|\(signedAt)".utf8) }
        return Array("consentry/audit-checkpoint/v2|\(keyID.hexString)|\(seq)|\(entryHash.hexString)|\(signedAt)".utf8)
    }
}
