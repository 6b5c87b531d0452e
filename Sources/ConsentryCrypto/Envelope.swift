/// The versioned byte layout of every ciphertext Consentry stores.
///
/// ```
/// offset  size  field
/// 0       1     format (0x01: AES-256-GCM, 96-bit nonce, 128-bit tag;
///               0x02: the same over a `LengthPadding`-padded plaintext, for fields)
/// 1       4     key version, big-endian (KEK version for wrapped keys, DEK generation for fields)
/// 5       12    nonce
/// 17      n     ciphertext
/// 17+n    16    tag
/// ```
/// The 5-byte header is part of the associated data, so changing the format or key version
/// byte makes the tag fail rather than silently selecting another key.
public struct Envelope: Sendable, Equatable {
    public static let formatAES256GCM: UInt8 = 0x01
    public static let formatAES256GCMPadded: UInt8 = 0x02
    static let headerByteCount = 5
    public static let overheadByteCount = headerByteCount + AES.GCM.nonceByteCount + AES.GCM.tagByteCount

    public var format: UInt8
    public var keyVersion: UInt32
    public var box: AES.GCM.SealedBox

    /// Encrypts `plaintext` under `key`, binding `context` (e.g. owner and field) as associated data.
    /// - Parameter padded: pad the plaintext to its `LengthPadding` bucket first (format 0x02).
    public static func seal(_ plaintext: [UInt8], key: SecureBytes, keyVersion: UInt32, context: [UInt8], padded: Bool = false) throws -> Envelope {
        let format = padded ? formatAES256GCMPadded : formatAES256GCM
        let box = try AES.GCM.seal(padded ? LengthPadding.pad(plaintext) : plaintext, using: key, authenticating: header(format, keyVersion) + context)
        return Envelope(format: format, keyVersion: keyVersion, box: box)
    }

    /// Decrypts with `key` (and removes the padding of format 0x02); the same `context` used
    /// at sealing must be given.
    /// - Throws: `CryptoError.authenticationFailure` on any mismatch.
    public func open(key: SecureBytes, context: [UInt8]) throws -> [UInt8] {
        let plaintext = try AES.GCM.open(box, using: key, authenticating: Self.header(format, keyVersion) + context)
        return format == Self.formatAES256GCMPadded ? try LengthPadding.unpad(plaintext) : plaintext
    }

    /// Parses the stored layout.
    /// - Throws: `CryptoError.malformedEnvelope` when too short or of an unknown format.
    public init(bytes: [UInt8]) throws {
        guard bytes.count >= Self.overheadByteCount else { throw CryptoError.malformedEnvelope(reason: "too short") }
        guard bytes[0] == Self.formatAES256GCM || bytes[0] == Self.formatAES256GCMPadded else {
            throw CryptoError.malformedEnvelope(reason: "unknown format \(bytes[0])")
        }
        format = bytes[0]
        keyVersion = bytes[1..<5].reduce(0) { $0 << 8 | UInt32($1) }
        let nonceEnd = Self.headerByteCount + AES.GCM.nonceByteCount
        let tagStart = bytes.count - AES.GCM.tagByteCount
        box = AES.GCM.SealedBox(
            nonce: Array(bytes[Self.headerByteCount..<nonceEnd]),
            ciphertext: Array(bytes[nonceEnd..<tagStart]),
            tag: Array(bytes[tagStart...])
        )
    }

    init(format: UInt8 = Envelope.formatAES256GCM, keyVersion: UInt32, box: AES.GCM.SealedBox) {
        self.format = format
        self.keyVersion = keyVersion
        self.box = box
    }

    /// The stored layout.
    public var bytes: [UInt8] { Self.header(format, keyVersion) + box.nonce + box.ciphertext + box.tag }

    /// Reads only the key version, without parsing the rest.
    public static func keyVersion(of bytes: [UInt8]) throws -> UInt32 { try Envelope(bytes: bytes).keyVersion }

    static func header(_ format: UInt8, _ version: UInt32) -> [UInt8] {
        [format, UInt8(version >> 24 & 0xff), UInt8(version >> 16 & 0xff), UInt8(version >> 8 & 0xff), UInt8(version & 0xff)]
    }
}
