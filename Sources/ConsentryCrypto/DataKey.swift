/// A customer's data key (DEK): encrypts that customer's fields and nothing else.
///
/// Each field is sealed separately, with associated data naming owner and field, so a
/// ciphertext moved to another customer or another field fails to open, and a
/// purpose-limited read decrypts only the fields it returns.
public struct DataKey: Sendable {
    /// DEKs are never re-keyed in place today; the envelope still records a generation so
    /// that per-customer re-keying can be added without a format change.
    public static let generation: UInt32 = 1

    public let material: SecureBytes

    public init(material: SecureBytes) throws {
        guard material.count == AES.GCM.keyByteCount else {
            throw CryptoError.invalidKeyLength(expected: AES.GCM.keyByteCount, actual: material.count)
        }
        self.material = material
    }

    public static func generate() throws -> DataKey {
        try DataKey(material: SecureBytes(randomCount: AES.GCM.keyByteCount))
    }

    /// Seals one field value of `owner`, padded to its length bucket (`LengthPadding`).
    public func seal(_ plaintext: [UInt8], owner: String, field: String) throws -> [UInt8] {
        try Envelope.seal(plaintext, key: material, keyVersion: Self.generation, context: Self.context(owner: owner, field: field), padded: true).bytes
    }

    /// A sealer for many fields of one owner (one key schedule for all of them).
    public func sealer() throws -> FieldSealer { try FieldSealer(key: material, keyVersion: Self.generation) }

    /// Seals one field with a sealer made by `sealer()`; same output format as `seal`.
    public static func seal(_ plaintext: [UInt8], owner: String, field: String, with sealer: FieldSealer) throws -> [UInt8] {
        try sealer.seal(plaintext, context: context(owner: owner, field: field))
    }

    /// Opens one field value; fails unless `owner` and `field` are those it was sealed for.
    public func open(_ ciphertext: [UInt8], owner: String, field: String) throws -> [UInt8] {
        try Envelope(bytes: ciphertext).open(key: material, context: Self.context(owner: owner, field: field))
    }

    static func context(owner: String, field: String) -> [UInt8] {
        Array("consentry/field/v1|\(owner)|\(field)".utf8)
    }
}
