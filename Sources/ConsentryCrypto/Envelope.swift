/// The versioned byte layout of every ciphertext Consentry stores.
///
/// ```
/// offset  size  field
/// 0       1     format (0x01: AES-256-GCM, 96-bit nonce, 128-bit tag)
/// 1       4     key version, big-endian (KEK version for wrapped keys, DEK generation for fields)
/// 5       12    nonce
/// 17      n     ciphertext
/// 17+n    16    tag
/// ```
/// The 5-byte header is part of the associated data, so changing the format or key version
/// byte makes the tag fail rather than silently selecting another key.
public struct Envelope: Sendable, Equatable {
    public static let formatAES256GCM: UInt8 = 0x01
    static let headerByteCount = 5
    public static let overheadByteCount = headerByteCount + AES.GCM.nonceByteCount + AES.GCM.tagByteCount

    public var keyVersion: UInt32
    public var box: AES.GCM.SealedBox

    /// Encrypts `plaintext` under `key`, binding `context` (e.g. owner and field) as associated data.
    public static func seal(_ plaintext: [UInt8], key: SecureBytes, keyVersion: UInt32, context: [UInt8]) throws -> Envelope {
        let box = try AES.GCM.seal(plaintext, using: key, authenticating: header(keyVersion) + context)
        return Envelope(keyVersion: keyVersion, box: box)
    }

    /// Decrypts with `key`; the same `context` used at sealing must be given.
    /// - Throws: `CryptoError.authenticationFailure` on any mismatch.
    public func open(key: SecureBytes, context: [UInt8]) throws -> [UInt8] {
        try AES.GCM.open(box, using: key, authenticating: Self.header(keyVersion) + context)
    }

    /// Parses the stored layout.
    /// - Throws: `CryptoError.malformedEnvelope` when too short or of an unknown format.
    public init(bytes: [UInt8]) throws {
        guard bytes.count >= Self.overheadByteCount else { throw CryptoError.malformedEnvelope(reason: "too short") }
        guard bytes[0] == Self.formatAES256GCM else { throw CryptoError.malformedEnvelope(reason: "unknown format \(bytes[0])") }
        keyVersion = bytes[1..<5].reduce(0) { $0 << 8 | UInt32($1) }
        let nonceEnd = Self.headerByteCount + AES.GCM.nonceByteCount
        let tagStart = bytes.count - AES.GCM.tagByteCount
        box = AES.GCM.SealedBox(
            nonce: Array(bytes[Self.headerByteCount..<nonceEnd]),
            ciphertext: Array(bytes[nonceEnd..<tagStart]),
            tag: Array(bytes[tagStart...])
        )
    }

    init(keyVersion: UInt32, box: AES.GCM.SealedBox) {
        self.keyVersion = keyVersion
        self.box = box
    }

    /// The stored layout.
    public var bytes: [UInt8] { Self.header(keyVersion) + box.nonce + box.ciphertext + box.tag }

    /// Reads only the key version, without parsing the rest.
    public static func keyVersion(of bytes: [UInt8]) throws -> UInt32 { try Envelope(bytes: bytes).keyVersion }

    private static func header(_ version: UInt32) -> [UInt8] {
        [formatAES256GCM, UInt8(version >> 24 & 0xff), UInt8(version >> 16 & 0xff), UInt8(version >> 8 & 0xff), UInt8(version & 0xff)]
    }
}
