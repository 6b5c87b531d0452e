internal import CLibCrypto

/// SHA-256 (FIPS 180-4) through OpenSSL: audit-chain links, API-key hashes, policy versions.
public enum SHA256 {
    public static let byteCount = 32

    public static func hash(_ message: some Collection<UInt8>) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: byteCount)
        var outLength: UInt32 = 0
        let ok = message.withContiguousStorageIfAvailable { m in
            out.withUnsafeMutableBufferPointer { o in EVP_Digest(m.baseAddress, m.count, o.baseAddress, &outLength, FetchedAlgorithms.sha256, nil) }
        } ?? Array(message).withUnsafeBufferPointer { m in
            out.withUnsafeMutableBufferPointer { o in EVP_Digest(m.baseAddress, m.count, o.baseAddress, &outLength, FetchedAlgorithms.sha256, nil) }
        }
        // EVP_Digest with SHA-256 fails only when the library cannot allocate: nothing sane to continue with.
        precondition(ok == 1 && outLength == UInt32(byteCount), "EVP_Digest(SHA-256) failed")
        return out
    }

    /// Lower-case hexadecimal of the digest.
    public static func hexHash(_ message: some Collection<UInt8>) -> String {
        hash(message).hexString
    }
}

extension Array where Element == UInt8 {
    /// Lower-case hexadecimal.
    public var hexString: String {
        let digits = Array("0123456789abcdef".utf8)
        var text = [UInt8]()
        text.reserveCapacity(count * 2)
        for byte in self {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
