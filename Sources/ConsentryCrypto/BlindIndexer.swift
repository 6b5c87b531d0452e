/// Keyed, truncated HMAC-SHA256 digests for exact-match search without plaintext
/// (the CipherSweet model).
///
/// Each indexed field gets its own key, derived with HKDF from one root key, so digests of
/// the same value in two fields are unrelated. Digests are truncated to `bits` so that, at
/// realistic table sizes, several values share a digest: a lookup returns candidates that
/// the caller must confirm by decrypting.
public struct BlindIndexer: Sendable {
    private let fieldKeys: [String: SecureBytes]
    public let bits: Int

    /// - Parameters:
    ///   - root: the blind-index root key (never a KEK or DEK).
    ///   - fields: the names of the indexed fields.
    ///   - bits: digest length in bits, 8...256, a multiple of 8.
    public init(root: SecureBytes, fields: [String], bits: Int) throws {
        guard bits % 8 == 0, (8...256).contains(bits) else { throw CryptoError.invalidArgument("bits must be a multiple of 8 in 8...256") }
        var keys: [String: SecureBytes] = [:]
        for field in fields {
            keys[field] = try HKDFSHA256.deriveKey(
                inputKeyMaterial: root, info: Array("consentry/blind-index/v1|\(field)".utf8), outputByteCount: 32)
        }
        fieldKeys = keys
        self.bits = bits
    }

    /// The truncated digest of an already-normalised value.
    /// - Throws: `CryptoError.invalidArgument` for a field that has no key.
    public func digest(field: String, normalizedValue: String) throws -> [UInt8] {
        guard let key = fieldKeys[field] else { throw CryptoError.invalidArgument("no blind-index key for this field") }
        return Array(try HMACSHA256.authenticationCode(for: Array(normalizedValue.utf8), using: key).prefix(bits / 8))
    }
}
