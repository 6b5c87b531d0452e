import ConsentryCore
import ConsentryCrypto
import Foundation
import ConsentryStorage

/// The key hierarchy in use: the KEK ring, and the system keys it protects in the database.
///
/// ```
/// KEK v1..vN (key file or env)  ──wraps──►  customer DEKs        (customer.wrapped_dek)
///                               └─wraps──►  blind-index root key (system_key)
/// blind-index root ──HKDF per field──► email / phone / nationalId / loginSubject keys
///                               └─wraps──►  audit checkpoint key (system_key)
///                               └─wraps──►  receipt signing key  (system_key)
///                               └─wraps──►  event signing root   (system_key)
/// event signing root ──HKDF per subscription──► the secret that signs its deliveries
/// ```
public struct KeyManager: Sendable {
    public let ring: KeyRing
    public let blindIndexer: BlindIndexer
    /// Signs audit checkpoints (HMAC-SHA256). Protected by the KEK like every system key, so
    /// it survives KEK rotation and a database thief cannot forge checkpoints.
    let auditCheckpointKey: SecureBytes
    /// Names the checkpoint key in each checkpoint. Computed from the key itself, so only a
    /// holder of the KEK can produce the id of a key it substituted.
    let auditCheckpointKeyID: [UInt8]
    /// The P-256 private scalar that signs consent receipts (ES256), KEK-protected.
    public let receiptSigningKey: SecureBytes
    /// The root of the per-subscription secrets that sign event deliveries (HMAC-SHA256).
    let eventSigningRoot: SecureBytes
    /// Signs the transparency log's tree heads (Ed25519). Derived from the checkpoint key by
    /// HKDF, so an installation made before the log needs no new system key.
    public let treeHeadKey: Ed25519PrivateKey
    /// Salts each transparency leaf (HMAC-SHA256 of the entry number), derived likewise.
    let leafSaltKey: SecureBytes
    /// For `consentry-bench` only.
    public var leafSaltKeyForBenchmarks: SecureBytes { leafSaltKey }

    /// Digest length of blind indexes; see SECURITY.md for the leakage trade-off.
    public static let blindIndexBits = 24
    static let blindIndexRootName = "blind-index-root"
    static let auditCheckpointKeyName = "audit-checkpoint"
    static let receiptSigningKeyName = "receipt-signing"
    static let eventSigningRootName = "event-signing-root"

    /// Loads the system keys of `database` with `ring`, creating them in a new installation.
    ///
    /// System keys are created only while the installation holds no customer and no audit
    /// entry. Later, a missing one is a refusal: creating it again would let someone with
    /// write access to the database, but not the KEK, delete the checkpoint key with the
    /// checkpoints, rewrite the audit chain, and have the next batch sign the forgery.
    /// - Throws: `KeyError.wrongKey` when the ring does not open this database's keys;
    ///   `KeyError.systemKeyMissing` when an installation in use lacks one.
    public static func load(ring: KeyRing, database: AppDatabase) async throws -> KeyManager {
        let (root, auditKey, receiptKey, eventRoot) = try await database.write { db in
            let inUse = try db.fetchOne("SELECT 1 AS used FROM customer UNION ALL SELECT 1 FROM audit_entry LIMIT 1") != nil
            let root = try systemKey(blindIndexRootName, ring: ring, db, mayCreate: !inUse)
            let auditKey = try systemKey(auditCheckpointKeyName, ring: ring, db, mayCreate: !inUse)
            // 32 random bytes are a valid P-256 scalar except with probability about 2^-32.
            let receiptKey = try systemKey(receiptSigningKeyName, ring: ring, db, mayCreate: !inUse)
            let eventRoot = try systemKey(eventSigningRootName, ring: ring, db, mayCreate: !inUse)
            // The newest ring seen becomes the database's active version; an older one is refused.
            try KeyVersions.raiseActive(to: ring.activeVersion, db)
            if let active = try KeyVersions.active(db), active > ring.activeVersion {
                throw KeyError.keySourceBehind(source: ring.activeVersion, database: active)
            }
            return (root, auditKey, receiptKey, eventRoot)
        }
        let indexer = try BlindIndexer(root: root, fields: BlindIndexField.allCases.map(\.rawValue), bits: blindIndexBits)
        let auditKeyID = Array(try HMACSHA256.authenticationCode(for: Array("consentry/audit-checkpoint-key-id/v1".utf8), using: auditKey).prefix(8))
        let treeHeadSeed = try HKDFSHA256.deriveKey(
            inputKeyMaterial: auditKey, info: Array("consentry/transparency/tree-head-ed25519/v1".utf8), outputByteCount: 32)
        let leafSaltKey = try HKDFSHA256.deriveKey(
            inputKeyMaterial: auditKey, info: Array("consentry/transparency/leaf-salt/v1".utf8), outputByteCount: 32)
        return KeyManager(
            ring: ring, blindIndexer: indexer, auditCheckpointKey: auditKey, auditCheckpointKeyID: auditKeyID,
            receiptSigningKey: receiptKey, eventSigningRoot: eventRoot, treeHeadKey: try Ed25519PrivateKey(seed: treeHeadSeed),
            leafSaltKey: leafSaltKey)
    }

    /// Unwraps the system key `name`, creating it when absent and `mayCreate`.
    /// - Throws: `KeyError.wrongKey` when it exists and `ring` does not open it,
    ///   `KeyError.systemKeyMissing` when it is absent and may not be created.
    private static func systemKey(_ name: String, ring: KeyRing, _ db: any StorageConnection, mayCreate: Bool) throws -> SecureBytes {
        let context = systemKeyContext(name)
        if let row = try db.fetchOne("SELECT wrapped FROM system_key WHERE name = ?", [name]) {
            let wrapped: Data = row["wrapped"]
            do { return try ring.unwrap(Array(wrapped), context: context) } catch { throw KeyError.wrongKey }
        }
        guard mayCreate else { throw KeyError.systemKeyMissing(name: name) }
        let key = try SecureBytes(randomCount: 32)
        try db.execute("INSERT INTO system_key (name, wrapped, kek_version, created_at) VALUES (?, ?, ?, ?)", [name, Data(try ring.wrap(key, context: context)), ring.activeVersion, Date()])
        return key
    }

    /// The secret that signs deliveries to subscription `id`. Derived, not stored: nothing
    /// but the KEK-wrapped root is kept, and the secret is shown to the module once.
    public func webhookSecret(subscriptionID: String) throws -> SecureBytes {
        try HKDFSHA256.deriveKey(
            inputKeyMaterial: eventSigningRoot, info: Array("consentry-webhook-secret/v1|\(subscriptionID)".utf8), outputByteCount: 32)
    }

    /// A fresh DEK for a new customer, and its wrapped form for storage.
    func newDataKey(customerID: String) throws -> (key: DataKey, wrapped: [UInt8]) {
        let key = try DataKey.generate()
        return (key, try ring.wrap(key.material, context: Self.dataKeyContext(customerID)))
    }

    /// The DEK of a stored customer.
    /// - Throws: `CryptoError` when the wrapped key is corrupt, bound to another customer, or
    ///   wrapped by a retired KEK version.
    func dataKey(customerID: String, wrapped: [UInt8]) throws -> DataKey {
        try DataKey(material: ring.unwrap(wrapped, context: Self.dataKeyContext(customerID)))
    }

    func digest(_ field: BlindIndexField, normalizedValue: String) throws -> [UInt8] {
        try blindIndexer.digest(field: field.rawValue, normalizedValue: normalizedValue)
    }

    static func dataKeyContext(_ customerID: String) -> [UInt8] { Array("dek|customer:\(customerID)".utf8) }
    static func systemKeyContext(_ name: String) -> [UInt8] { Array("system-key|\(name)".utf8) }
}
