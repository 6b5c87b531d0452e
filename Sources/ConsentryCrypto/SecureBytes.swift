internal import CLibCrypto

/// Key material held in memory that is wiped (`OPENSSL_cleanse`) when released.
///
/// Immutable after creation, so sharing it across tasks is safe. It deliberately has no
/// `description` showing its bytes and is not `Codable`.
public final class SecureBytes: @unchecked Sendable, CustomStringConvertible {
    private let storage: UnsafeMutableRawBufferPointer

    /// Copies `bytes` into wiped-on-release storage.
    public init(copying bytes: some Sequence<UInt8>) {
        let array = Array(bytes)
        storage = .allocate(byteCount: max(array.count, 1), alignment: 16)
        storage.copyBytes(from: array)
        count = array.count
    }

    /// Fills `count` bytes from OpenSSL's CSPRNG.
    /// - Throws: `CryptoError.library` if the generator fails.
    public init(randomCount: Int) throws {
        storage = .allocate(byteCount: max(randomCount, 1), alignment: 16)
        count = randomCount
        guard RAND_bytes(storage.baseAddress!.assumingMemoryBound(to: UInt8.self), Int32(randomCount)) == 1 else {
            OPENSSL_cleanse(storage.baseAddress, storage.count)
            storage.deallocate()
            throw CryptoError.openSSL("RAND_bytes")
        }
    }

    public let count: Int

    deinit {
        OPENSSL_cleanse(storage.baseAddress, storage.count)
        storage.deallocate()
    }

    /// Hands a plain array copy to an API that wants one (jwt-kit's key types), and wipes
    /// that copy afterwards. What the API keeps is its own to wipe.
    public func withTemporaryArray<R>(_ body: ([UInt8]) throws -> R) rethrows -> R {
        var copy = withUnsafeBytes { Array($0) }
        defer { copy.withUnsafeMutableBytes { OPENSSL_cleanse($0.baseAddress, $0.count) } }
        return try body(copy)
    }

    /// Gives temporary read access to the bytes; do not let the pointer escape.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(rebasing: storage[0..<count]))
    }

    /// A copy of the bytes, for wrapping or writing to a key file. The caller owns its secrecy.
    public var unsafeCopy: [UInt8] { withUnsafeBytes { Array($0) } }

    public var description: String { "SecureBytes(\(count) bytes, redacted)" }

    /// Constant-time equality of two secrets.
    public func constantTimeEquals(_ other: SecureBytes) -> Bool {
        withUnsafeBytes { a in other.withUnsafeBytes { b in ConstantTime.equals(a, b) } }
    }
}
