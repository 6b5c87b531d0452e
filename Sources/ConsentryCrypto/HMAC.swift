internal import CLibCrypto

/// HMAC-SHA256 (RFC 2104) through OpenSSL.
public enum HMACSHA256 {
    public static let byteCount = 32

    /// - Throws: `CryptoError.library` if OpenSSL fails.
    public static func authenticationCode(for message: [UInt8], using key: SecureBytes) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: byteCount)
        var outLength: UInt32 = 0
        let result = key.withUnsafeBytes { k in
            out.withUnsafeMutableBufferPointer { o in
                CLibCrypto.HMAC(FetchedAlgorithms.sha256, k.baseAddress, Int32(k.count), message, message.count, o.baseAddress, &outLength)
            }
        }
        guard result != nil, outLength == UInt32(byteCount) else { throw CryptoError.openSSL("HMAC") }
        return out
    }

    /// Verifies `code` in constant time.
    public static func isValid(_ code: [UInt8], for message: [UInt8], using key: SecureBytes) throws -> Bool {
        ConstantTime.equals(try authenticationCode(for: message, using: key), code)
    }
}
