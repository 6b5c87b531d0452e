internal import CLibCrypto

/// Owns one `EVP_CIPHER_CTX`, freed (and so wiped by OpenSSL) when released.
///
/// Not shareable: a context carries key schedule and state of one operation at a time.
final class CipherContext {
    let pointer: OpaquePointer

    init() throws {
        guard let context = EVP_CIPHER_CTX_new() else { throw CryptoError.openSSL("EVP_CIPHER_CTX_new") }
        pointer = context
    }

    deinit { EVP_CIPHER_CTX_free(pointer) }
}
