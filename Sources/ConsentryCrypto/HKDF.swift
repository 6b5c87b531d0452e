import Foundation
internal import CLibCrypto

/// HKDF-SHA256 (RFC 5869), extract-then-expand, through OpenSSL's `EVP_KDF`.
public enum HKDFSHA256 {
    /// Derives `outputByteCount` bytes of key material.
    /// - Parameters:
    ///   - inputKeyMaterial: the secret to derive from.
    ///   - salt: optional salt; empty means RFC 5869's default (32 zero bytes).
    ///   - info: context that separates derived keys from each other.
    /// - Throws: `CryptoError` if OpenSSL fails or the length is out of range.
    public static func deriveKey(
        inputKeyMaterial: SecureBytes, salt: [UInt8] = [], info: [UInt8], outputByteCount: Int
    ) throws -> SecureBytes {
        guard outputByteCount > 0, outputByteCount <= 255 * 32 else {
            throw CryptoError.invalidArgument("HKDF output length must be 1...8160")
        }
        guard let kdf = EVP_KDF_fetch(nil, "HKDF", nil) else { throw CryptoError.openSSL("EVP_KDF_fetch(HKDF)") }
        defer { EVP_KDF_free(kdf) }
        guard let context = EVP_KDF_CTX_new(kdf) else { throw CryptoError.openSSL("EVP_KDF_CTX_new") }
        defer { EVP_KDF_CTX_free(context) }

        // OSSL_PARAM stores pointers, not copies: every name and buffer below must outlive
        // EVP_KDF_derive. The names are strdup'ed and the buffers pinned by the closures.
        let paramNames: [String] = [OSSL_KDF_PARAM_DIGEST, OSSL_KDF_PARAM_KEY, OSSL_KDF_PARAM_SALT, OSSL_KDF_PARAM_INFO]
        let names = paramNames.map { strdup($0)! }
        let digestName = strdup("SHA256")!
        defer {
            names.forEach { free($0) }
            free(digestName)
        }
        var out = [UInt8](repeating: 0, count: outputByteCount)
        let rc: Int32 = inputKeyMaterial.withUnsafeBytes { ikm in
            salt.withUnsafeBytes { saltBytes in
                info.withUnsafeBytes { infoBytes in
                    var params: [OSSL_PARAM] = [
                        OSSL_PARAM_construct_utf8_string(names[0], digestName, 0),
                        OSSL_PARAM_construct_octet_string(names[1], UnsafeMutableRawPointer(mutating: ikm.baseAddress), ikm.count),
                    ]
                    if !salt.isEmpty {
                        params.append(OSSL_PARAM_construct_octet_string(names[2], UnsafeMutableRawPointer(mutating: saltBytes.baseAddress), saltBytes.count))
                    }
                    if !info.isEmpty {
                        params.append(OSSL_PARAM_construct_octet_string(names[3], UnsafeMutableRawPointer(mutating: infoBytes.baseAddress), infoBytes.count))
                    }
                    params.append(OSSL_PARAM_construct_end())
                    return out.withUnsafeMutableBufferPointer { o in
                        params.withUnsafeBufferPointer { p in EVP_KDF_derive(context, o.baseAddress, o.count, p.baseAddress) }
                    }
                }
            }
        }
        defer { out.withUnsafeMutableBytes { OPENSSL_cleanse($0.baseAddress, $0.count) } }
        guard rc == 1 else { throw CryptoError.openSSL("EVP_KDF_derive(HKDF)") }
        return SecureBytes(copying: out)
    }
}
