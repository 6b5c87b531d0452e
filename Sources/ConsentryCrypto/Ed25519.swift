internal import CLibCrypto

/// Ed25519 signatures (RFC 8032) through OpenSSL's `EVP_PKEY`: the transparency log signs
/// its tree heads with it, and anyone verifies them with the 32-byte public key.
public struct Ed25519PrivateKey: Sendable {
    private let seed: SecureBytes
    /// The raw 32-byte public key.
    public let publicKey: [UInt8]

    /// - Parameter seed: the 32-byte private key (RFC 8032 §5.1.5's `k`).
    /// - Throws: `CryptoError.invalidKeyLength`, or `.library` if OpenSSL refuses it.
    public init(seed: SecureBytes) throws {
        guard seed.count == 32 else { throw CryptoError.invalidKeyLength(expected: 32, actual: seed.count) }
        self.seed = seed
        let key = try PrivateKeyHandle(seed: seed)
        var length = 32
        var out = [UInt8](repeating: 0, count: 32)
        guard EVP_PKEY_get_raw_public_key(key.pointer, &out, &length) == 1, length == 32 else {
            throw CryptoError.openSSL("EVP_PKEY_get_raw_public_key")
        }
        publicKey = out
    }

    /// The 64-byte signature of `message`.
    public func signature(for message: [UInt8]) throws -> [UInt8] {
        let key = try PrivateKeyHandle(seed: seed)
        let context = try DigestContext()
        guard EVP_DigestSignInit(context.pointer, nil, nil, nil, key.pointer) == 1 else { throw CryptoError.openSSL("EVP_DigestSignInit") }
        var length = 64
        var out = [UInt8](repeating: 0, count: 64)
        let ok = message.withUnsafeBufferPointer { m in EVP_DigestSign(context.pointer, &out, &length, m.baseAddress, m.count) }
        guard ok == 1, length == 64 else { throw CryptoError.openSSL("EVP_DigestSign") }
        return out
    }
}

public enum Ed25519 {
    /// Whether `signature` is `publicKey`'s signature of `message`. Any malformed input is `false`.
    public static func isValidSignature(_ signature: [UInt8], for message: [UInt8], publicKey: [UInt8]) -> Bool {
        guard signature.count == 64, publicKey.count == 32,
            let key = publicKey.withUnsafeBufferPointer({ EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nil, $0.baseAddress, 32) })
        else { return false }
        defer { EVP_PKEY_free(key) }
        guard let context = try? DigestContext(), EVP_DigestVerifyInit(context.pointer, nil, nil, nil, key) == 1 else { return false }
        let result = signature.withUnsafeBufferPointer { s in
            message.withUnsafeBufferPointer { m in EVP_DigestVerify(context.pointer, s.baseAddress, 64, m.baseAddress, m.count) }
        }
        ERR_clear_error()
        return result == 1
    }
}

/// Owns one private `EVP_PKEY`, freed (and wiped by OpenSSL) when released.
private final class PrivateKeyHandle {
    let pointer: OpaquePointer

    init(seed: SecureBytes) throws {
        guard let key = seed.withUnsafeBytes({ EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nil, $0.baseAddress?.assumingMemoryBound(to: UInt8.self), 32) }) else {
            throw CryptoError.openSSL("EVP_PKEY_new_raw_private_key(Ed25519)")
        }
        pointer = key
    }

    deinit { EVP_PKEY_free(pointer) }
}

/// Owns one `EVP_MD_CTX`.
private final class DigestContext {
    let pointer: OpaquePointer

    init() throws {
        guard let context = EVP_MD_CTX_new() else { throw CryptoError.openSSL("EVP_MD_CTX_new") }
        pointer = context
    }

    deinit { EVP_MD_CTX_free(pointer) }
}
