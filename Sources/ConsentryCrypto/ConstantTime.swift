internal import CLibCrypto

/// Comparisons whose running time does not depend on where the inputs differ.
public enum ConstantTime {
    /// `true` when both buffers have the same length and bytes. Length is not secret.
    public static func equals(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        guard a.count == b.count else { return false }
        if a.count == 0 { return true }
        return CRYPTO_memcmp(a.baseAddress, b.baseAddress, a.count) == 0
    }

    /// `true` when both byte arrays are equal, compared in constant time.
    public static func equals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        a.withUnsafeBytes { pa in b.withUnsafeBytes { pb in equals(pa, pb) } }
    }
}

extension ConstantTime {
    /// Overwrites a buffer with zeros in a way the optimiser keeps (`OPENSSL_cleanse`).
    public static func wipe(_ buffer: UnsafeMutableRawBufferPointer) {
        guard buffer.count > 0 else { return }
        OPENSSL_cleanse(buffer.baseAddress, buffer.count)
    }
}
