internal import CLibCrypto

/// The Advanced Encryption Standard, as used by Consentry: AES-256 in Galois/Counter Mode.
public enum AES {
    /// AES-256-GCM with a 96-bit nonce and a 128-bit tag, through OpenSSL's EVP API.
    public enum GCM {
        public static let keyByteCount = 32
        public static let nonceByteCount = 12
        public static let tagByteCount = 16

        /// The three parts of a GCM encryption.
        public struct SealedBox: Sendable, Equatable {
            public var nonce: [UInt8]
            public var ciphertext: [UInt8]
            public var tag: [UInt8]

            public init(nonce: [UInt8], ciphertext: [UInt8], tag: [UInt8]) {
                self.nonce = nonce
                self.ciphertext = ciphertext
                self.tag = tag
            }
        }

        /// Encrypts and authenticates `plaintext`, and authenticates `aad`.
        /// - Parameters:
        ///   - plaintext: bytes to encrypt.
        ///   - key: a 32-byte key.
        ///   - nonce: 12 bytes, never reused with the same key; random when `nil`.
        ///   - aad: associated data bound to the ciphertext but not encrypted.
        /// - Throws: `CryptoError` on a bad key or nonce length or a library failure.
        public static func seal(
            _ plaintext: [UInt8], using key: SecureBytes, nonce: [UInt8]? = nil, authenticating aad: [UInt8] = []
        ) throws -> SealedBox {
            guard key.count == keyByteCount else { throw CryptoError.invalidKeyLength(expected: keyByteCount, actual: key.count) }
            let nonce = try nonce ?? SecureRandom.bytes(nonceByteCount)
            guard nonce.count == nonceByteCount else { throw CryptoError.invalidArgument("nonce must be \(nonceByteCount) bytes") }
            let context = try CipherContext()
            let ctx = context.pointer
            guard EVP_EncryptInit_ex(ctx, FetchedAlgorithms.aes256GCM, nil, nil, nil) == 1 else { throw CryptoError.openSSL("EVP_EncryptInit_ex") }
            let keyed = key.withUnsafeBytes { k in
                EVP_EncryptInit_ex(ctx, nil, nil, k.bindMemory(to: UInt8.self).baseAddress, nonce)
            }
            guard keyed == 1 else { throw CryptoError.openSSL("EVP_EncryptInit_ex(key)") }
            var length: Int32 = 0
            // A NULL output buffer tells OpenSSL the input is associated data.
            if !aad.isEmpty {
                guard EVP_EncryptUpdate(ctx, nil, &length, aad, Int32(aad.count)) == 1 else { throw CryptoError.openSSL("EVP_EncryptUpdate(aad)") }
            }
            var ciphertext = [UInt8](repeating: 0, count: plaintext.count)
            var written = 0
            if !plaintext.isEmpty {
                let rc = ciphertext.withUnsafeMutableBufferPointer { out in
                    EVP_EncryptUpdate(ctx, out.baseAddress, &length, plaintext, Int32(plaintext.count))
                }
                guard rc == 1 else { throw CryptoError.openSSL("EVP_EncryptUpdate") }
                written = Int(length)
            }
            var finalBlock = [UInt8](repeating: 0, count: 16)
            guard EVP_EncryptFinal_ex(ctx, &finalBlock, &length) == 1 else { throw CryptoError.openSSL("EVP_EncryptFinal_ex") }
            guard written + Int(length) == plaintext.count else { throw CryptoError.invalidArgument("unexpected GCM output length") }
            var tag = [UInt8](repeating: 0, count: tagByteCount)
            guard EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, Int32(tagByteCount), &tag) == 1 else {
                throw CryptoError.openSSL("EVP_CTRL_GCM_GET_TAG")
            }
            return SealedBox(nonce: nonce, ciphertext: ciphertext, tag: tag)
        }

        /// Verifies and decrypts a sealed box. Returns no bytes unless the tag verifies.
        /// - Throws: `CryptoError.authenticationFailure` for a wrong key, wrong `aad` or any
        ///   modified byte; other `CryptoError`s for malformed input.
        public static func open(_ box: SealedBox, using key: SecureBytes, authenticating aad: [UInt8] = []) throws -> [UInt8] {
            guard key.count == keyByteCount else { throw CryptoError.invalidKeyLength(expected: keyByteCount, actual: key.count) }
            guard box.nonce.count == nonceByteCount else { throw CryptoError.invalidArgument("nonce must be \(nonceByteCount) bytes") }
            guard box.tag.count == tagByteCount else { throw CryptoError.invalidArgument("tag must be \(tagByteCount) bytes") }
            let context = try CipherContext()
            let ctx = context.pointer
            guard EVP_DecryptInit_ex(ctx, FetchedAlgorithms.aes256GCM, nil, nil, nil) == 1 else { throw CryptoError.openSSL("EVP_DecryptInit_ex") }
            let keyed = key.withUnsafeBytes { k in
                EVP_DecryptInit_ex(ctx, nil, nil, k.bindMemory(to: UInt8.self).baseAddress, box.nonce)
            }
            guard keyed == 1 else { throw CryptoError.openSSL("EVP_DecryptInit_ex(key)") }
            var length: Int32 = 0
            if !aad.isEmpty {
                guard EVP_DecryptUpdate(ctx, nil, &length, aad, Int32(aad.count)) == 1 else { throw CryptoError.openSSL("EVP_DecryptUpdate(aad)") }
            }
            var plaintext = [UInt8](repeating: 0, count: box.ciphertext.count)
            if !box.ciphertext.isEmpty {
                let rc = plaintext.withUnsafeMutableBufferPointer { out in
                    EVP_DecryptUpdate(ctx, out.baseAddress, &length, box.ciphertext, Int32(box.ciphertext.count))
                }
                guard rc == 1 else { throw CryptoError.openSSL("EVP_DecryptUpdate") }
            }
            var tag = box.tag
            guard EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, Int32(tagByteCount), &tag) == 1 else {
                throw CryptoError.openSSL("EVP_CTRL_GCM_SET_TAG")
            }
            var finalBlock = [UInt8](repeating: 0, count: 16)
            guard EVP_DecryptFinal_ex(ctx, &finalBlock, &length) == 1 else {
                // Never hand back unauthenticated bytes; clear what was decrypted.
                plaintext.withUnsafeMutableBytes { OPENSSL_cleanse($0.baseAddress, $0.count) }
                ERR_clear_error()
                throw CryptoError.authenticationFailure
            }
            return plaintext
        }
    }
}
