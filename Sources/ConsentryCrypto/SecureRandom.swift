internal import CLibCrypto

/// Random bytes from OpenSSL's CSPRNG (`RAND_bytes`).
public enum SecureRandom {
    /// - Throws: `CryptoError.library` if the generator is not seeded or fails.
    public static func bytes(_ count: Int) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        if count == 0 { return out }
        guard RAND_bytes(&out, Int32(count)) == 1 else { throw CryptoError.openSSL("RAND_bytes") }
        return out
    }
}
