/// The versioned key-encryption keys (KEKs), one of them active.
///
/// Modelled on Vault transit: `rotate` adds a version and makes it active; data keys are
/// wrapped with the active version and unwrapped with whichever version wrapped them;
/// `retire(below:)` drops older versions (Vault's `min_decryption_version`).
public struct KeyRing: Sendable {
    public private(set) var keys: [UInt32: SecureBytes]
    public private(set) var activeVersion: UInt32

    /// - Throws: `CryptoError` if the active version is missing or a key has the wrong length.
    public init(keys: [UInt32: SecureBytes], activeVersion: UInt32) throws {
        guard keys[activeVersion] != nil else { throw CryptoError.unknownKeyVersion(activeVersion) }
        for (_, key) in keys where key.count != AES.GCM.keyByteCount {
            throw CryptoError.invalidKeyLength(expected: AES.GCM.keyByteCount, actual: key.count)
        }
        self.keys = keys
        self.activeVersion = activeVersion
    }

    /// A ring with one fresh random key, version 1.
    public static func generate() throws -> KeyRing {
        try KeyRing(keys: [1: SecureBytes(randomCount: AES.GCM.keyByteCount)], activeVersion: 1)
    }

    public var versions: [UInt32] { keys.keys.sorted() }

    /// Adds a new random key one above the highest version and activates it.
    public mutating func rotate() throws {
        let next = (versions.last ?? 0) + 1
        keys[next] = try SecureBytes(randomCount: AES.GCM.keyByteCount)
        activeVersion = next
    }

    /// Drops every version below `version`. The active version cannot be retired.
    public mutating func retire(below version: UInt32) throws {
        guard version <= activeVersion else {
            throw CryptoError.invalidArgument("cannot retire the active key version \(activeVersion)")
        }
        keys = keys.filter { $0.key >= version }
    }

    /// Wraps a data key under the active KEK, binding it to `context` (owner and purpose).
    public func wrap(_ dataKey: SecureBytes, context: [UInt8]) throws -> [UInt8] {
        let kek = keys[activeVersion]!
        return try dataKey.withUnsafeBytes { plain in
            try Envelope.seal(Array(plain), key: kek, keyVersion: activeVersion, context: Self.wrapContext(context)).bytes
        }
    }

    /// Unwraps a data key with the KEK version named in the envelope.
    /// - Throws: `CryptoError.unknownKeyVersion` for a retired or unknown version,
    ///   `.authenticationFailure` for a wrong context or tampered bytes.
    public func unwrap(_ wrapped: [UInt8], context: [UInt8]) throws -> SecureBytes {
        let envelope = try Envelope(bytes: wrapped)
        guard let kek = keys[envelope.keyVersion] else { throw CryptoError.unknownKeyVersion(envelope.keyVersion) }
        var plain = try envelope.open(key: kek, context: Self.wrapContext(context))
        defer { plain.withUnsafeMutableBytes { ConstantTime.wipe($0) } }
        return SecureBytes(copying: plain)
    }

    /// Domain separation: a wrapped key can never be mistaken for a field ciphertext.
    private static func wrapContext(_ context: [UInt8]) -> [UInt8] { Array("consentry/wrap/v1|".utf8) + context }
}
