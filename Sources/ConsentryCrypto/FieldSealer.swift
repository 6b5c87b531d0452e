internal import CLibCrypto

/// Seals many values under one key with one OpenSSL context: the key schedule is computed
/// once, each value then costs a nonce, one pass and a tag. Output is the `Envelope` layout,
/// written straight into one buffer.
///
/// Not thread-safe (it owns a cipher context): make one per task, use it, drop it.
public final class FieldSealer {
    private let context: CipherContext
    private let keyVersion: UInt32

    /// - Throws: `CryptoError` on a wrong key length or a library failure.
    public init(key: SecureBytes, keyVersion: UInt32) throws {
        guard key.count == AES.GCM.keyByteCount else {
            throw CryptoError.invalidKeyLength(expected: AES.GCM.keyByteCount, actual: key.count)
        }
        context = try CipherContext()
        self.keyVersion = keyVersion
        let rc = key.withUnsafeBytes { k in
            EVP_EncryptInit_ex(context.pointer, FetchedAlgorithms.aes256GCM, nil, k.bindMemory(to: UInt8.self).baseAddress, nil)
        }
        guard rc == 1 else { throw CryptoError.openSSL("EVP_EncryptInit_ex") }
    }

    /// The envelope bytes of `value`, padded to its length bucket and bound to `context`.
    /// Equivalent to `Envelope.seal(..., padded: true).bytes` with the same key.
    public func seal(_ value: [UInt8], context aad: [UInt8]) throws -> [UInt8] {
        let plaintext = LengthPadding.pad(value)
        let headerCount = Envelope.headerByteCount
        let nonceEnd = headerCount + AES.GCM.nonceByteCount
        let total = nonceEnd + plaintext.count + AES.GCM.tagByteCount
        var out = [UInt8](repeating: 0, count: total)
        let ctx = context.pointer
        let version = keyVersion
        let ok: Bool = out.withUnsafeMutableBufferPointer { buffer in
            let base = buffer.baseAddress!
            base[0] = Envelope.formatAES256GCMPadded
            base[1] = UInt8(version >> 24 & 0xff)
            base[2] = UInt8(version >> 16 & 0xff)
            base[3] = UInt8(version >> 8 & 0xff)
            base[4] = UInt8(version & 0xff)
            guard RAND_bytes(base + headerCount, Int32(AES.GCM.nonceByteCount)) == 1,
                  EVP_EncryptInit_ex(ctx, nil, nil, nil, base + headerCount) == 1 else { return false }
            var length: Int32 = 0
            // Associated data: the header, then the caller's context.
            guard EVP_EncryptUpdate(ctx, nil, &length, base, Int32(headerCount)) == 1 else { return false }
            if !aad.isEmpty {
                guard EVP_EncryptUpdate(ctx, nil, &length, aad, Int32(aad.count)) == 1 else { return false }
            }
            if !plaintext.isEmpty {
                guard EVP_EncryptUpdate(ctx, base + nonceEnd, &length, plaintext, Int32(plaintext.count)) == 1 else { return false }
            }
            guard EVP_EncryptFinal_ex(ctx, base + nonceEnd + plaintext.count, &length) == 1 else { return false }
            return EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, Int32(AES.GCM.tagByteCount), base + nonceEnd + plaintext.count) == 1
        }
        guard ok else { throw CryptoError.openSSL("AES-256-GCM seal") }
        return out
    }
}
