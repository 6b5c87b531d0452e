import ConsentryCore
import ConsentryCrypto
import Foundation
import ConsentryStorage
import ConsentryRecords

/// The customer repository over SQLite, where every personal field is a separate AES-256-GCM
/// ciphertext under the customer's own data key, bound to customer id and field path.
///
/// Plain columns: id, externalId, party type, status, version, timestamps, wrapped DEK and
/// its KEK version. Exact search goes through blind indexes and is confirmed by decrypting.
public struct EncryptedCustomerStore: CustomerRepository {
    public let database: AppDatabase
    public let keys: KeyProvider
    private let now: @Sendable () -> Date

    public init(database: AppDatabase, keys: KeyProvider, now: @escaping @Sendable () -> Date = { Date() }) {
        self.database = database
        self.keys = keys
        self.now = now
    }

    // MARK: Create

    /// - Throws: `ValidationError` for bad fields, `StoreError` for a duplicate externalId or
    ///   an unknown related party.
    public func create(_ draft: CustomerDraft) async throws -> Customer {
        try await retryingStaleKeys { try await createOnce(draft) }
    }

    /// Runs `body` and, if it wrapped a key under a KEK version older than the database's
    /// active one, reloads the keys and runs it once more (`KeyVersions`).
    public func retryingStaleKeys<T>(_ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch let error as StoreError where error.code == .staleKeys {
            try await keys.reload()
            return try await body()
        }
    }

    private func createOnce(_ draft: CustomerDraft) async throws -> Customer {
        try CustomerValidator(today: now()).validate(draft)
        let references = draft.profile.relatedParty.compactMap(\.externalId)
        let known = try await database.read { db in try db.customerIDs(forExternalIDs: references) }
        let sealed = try seal(draft, id: Self.newID(), resolvingWith: known, keys: keys.current)
        try await database.write { db in
            guard try sealed.insert(db) else { throw StoreError.duplicateExternalId() }
        }
        return sealed.customer
    }

    // MARK: Update

    /// Replaces a customer's profile and status if its version is still `expectedVersion`.
    ///
    /// Every field is sealed again under a fresh DEK (the old wrapped DEK is overwritten, so
    /// the old ciphertexts, which `secure_delete` zeroes, could not be opened anyway) and the
    /// blind indexes are rebuilt in the same transaction.
    /// - Throws: `ValidationError`, `StoreError.versionConflict()` or `StoreError.notFound()`.
    public func update(id: String, expectedVersion: Int, to draft: CustomerDraft) async throws -> Customer {
        let update = try await prepareUpdate(id: id, expectedVersion: expectedVersion, to: draft)
        return try await database.write { db in try update.apply(db) }
    }

    /// Validates and encrypts an update outside any transaction; `apply` writes it.
    public func prepareUpdate(id: String, expectedVersion: Int, to draft: CustomerDraft) async throws -> PreparedUpdate {
        try CustomerValidator(today: now()).validate(draft)
        let references = draft.profile.relatedParty.compactMap(\.externalId)
        let known = try await database.read { db in try db.customerIDs(forExternalIDs: references) }
        let sealed = try seal(draft, id: id, resolvingWith: known, keys: keys.current)
        return PreparedUpdate(sealed: sealed, expectedVersion: expectedVersion, ended: draft.status == .inactive || draft.status == .closed)
    }

    /// An encrypted update, ready to write in a transaction.
    public struct PreparedUpdate: Sendable {
        var sealed: SealedCustomer
        var expectedVersion: Int
        var ended: Bool

        public var customerID: String { sealed.record.id }
        var timestamp: Date { sealed.record.updatedAt }

        /// - Throws: `StoreError.versionConflict()` or `StoreError.notFound()`.
        func apply(_ db: any StorageConnection) throws -> Customer {
            let id = sealed.record.id
            let timestamp = sealed.record.updatedAt
            guard let row = try db.fetchOne("SELECT version, created_at, relationship_ended_at, erased_at FROM customer WHERE id = ?\(db.dialect.forUpdate)", [id]) else {
                throw StoreError.notFound()
            }
            guard row["version"] as Int == expectedVersion else { throw StoreError.versionConflict() }
            guard row["erased_at"] as Date? == nil else { throw StoreError.erased() }
            try KeyVersions.checkWrap(version: sealed.record.kekVersion, db)
            try sealed.requireUniqueLoginSubject(db)
            let createdAt: Date = row["created_at"]
            let endedAt: Date? = ended ? (row["relationship_ended_at"] as Date? ?? timestamp) : nil
            let residence = Residence(sealed.customer.profile)
            try db.execute("""
                    UPDATE customer SET status = ?, version = version + 1, updated_at = ?, wrapped_dek = ?, kek_version = ?,
                        sealed_fields = ?, relationship_ended_at = ?, residence = ?, declared_jurisdiction = ? WHERE id = ?
                    """, [
                    sealed.record.status.rawValue, timestamp, sealed.record.wrappedDek, sealed.record.kekVersion, sealed.record.sealedFields, endedAt,
                    residence.region, residence.declared, id,
                ])
            try db.execute("DELETE FROM blind_index WHERE customer_id = ?", [id])
            for index in sealed.indexes { try db.execute(BlindIndexRecord.insert, [index.field, index.digest, index.customerId]) }
            var customer = sealed.customer
            customer.version = expectedVersion + 1
            customer.createdAt = createdAt
            return customer
        }
    }

    /// A new customer's rows, encrypted and ready to insert. CPU work only, so callers can
    /// prepare many in parallel outside the write transaction.
    struct SealedCustomer: Sendable {
        var record: CustomerRecord
        var indexes: [BlindIndexRecord]
        var customer: Customer
        /// Confirms login-subject matches: blind indexes are truncated and collide by design.
        var keys: KeyManager

        /// Inserts the rows unless a customer with the same externalId exists.
        /// - Returns: `false` when skipped because of the externalId.
        @discardableResult
        func insert(_ db: any StorageConnection) throws -> Bool {
            try KeyVersions.checkWrap(version: record.kekVersion, db)
            try requireUniqueLoginSubject(db)
            // Cached raw statements: the Codable record path costs several times more per row.
            let inserted = try db.execute(
                """
                INSERT INTO customer (id, external_id, party_type, status, version, created_at, updated_at, wrapped_dek, kek_version, sealed_fields,
                    residence, declared_jurisdiction)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(external_id) DO NOTHING
                """,
                [
                    record.id, record.externalId, record.partyType.rawValue, record.status.rawValue, record.version,
                    record.createdAt, record.updatedAt, record.wrappedDek, record.kekVersion, record.sealedFields,
                    record.residence.region, record.residence.declared,
                ])
            guard inserted == 1 else { return false }
            for index in indexes { try db.execute(BlindIndexRecord.insert, [index.field, index.digest, index.customerId]) }
            return true
        }

        /// A login subject signs one customer in: a second customer with the same one would
        /// lock the first out of self-service (or sign someone in as them).
        /// - Throws: `StoreError` `duplicate_login_subject`, before anything is written.
        func requireUniqueLoginSubject(_ db: any StorageConnection) throws {
            guard let subject = customer.profile.loginSubject,
                let digest = indexes.first(where: { $0.field == BlindIndexField.loginSubject.rawValue })?.digest
            else { return }
            // Two servers creating the same subject at once: one waits for the other's commit.
            try db.lock(.loginSubjects)
            let candidates = try db.fetchCustomerRecords("""
                SELECT customer.* FROM blind_index JOIN customer ON customer.id = blind_index.customer_id
                WHERE blind_index.field = ? AND blind_index.digest = ? AND customer.id <> ? AND customer.erased_at IS NULL
                """, [BlindIndexField.loginSubject.rawValue, digest, record.id])
            let normalized = BlindIndexField.loginSubject.normalize(subject)
            for candidate in candidates where try candidate.open(keys: keys).profile.loginSubject.map(BlindIndexField.loginSubject.normalize) == normalized {
                throw StoreError(code: .duplicateLoginSubject, message: "another customer already signs in with this loginSubject", path: "loginSubject")
            }
        }
    }

    /// Encrypts a validated draft. Related parties named by externalId are resolved through
    /// `knownExternalIDs`.
    func seal(_ draft: CustomerDraft, id: String, resolvingWith knownExternalIDs: [String: String], keys: KeyManager) throws -> SealedCustomer {
        var profile = draft.profile
        profile.contactMedium = PersonalFieldCodec.withMediumIds(profile.contactMedium)
        for (index, related) in profile.relatedParty.enumerated() where related.id == nil {
            guard let externalId = related.externalId, let resolved = knownExternalIDs[externalId] else {
                throw StoreError.unknownRelatedParty(path: "relatedParty[\(index)].externalId")
            }
            profile.relatedParty[index].id = resolved
        }
        // Whole seconds: stored exactly, so a created customer equals its read-back.
        let timestamp = Date(timeIntervalSince1970: now().timeIntervalSince1970.rounded(.down))
        let (dataKey, wrapped) = try keys.newDataKey(customerID: id)
        let sealer = try dataKey.sealer()
        let vault = FieldVault(entries: try PersonalFieldCodec.encode(profile).map { field in
            FieldVault.Entry(path: field.path, ciphertext: try DataKey.seal(field.value, owner: id, field: field.path.rawValue, with: sealer))
        })
        var indexes: [BlindIndexRecord] = []
        for field in BlindIndexField.allCases {
            // A field without a value gets a decoy digest, so that a database reader cannot
            // tell who has one (a `guardian` row would mark minors); a lookup that meets a
            // decoy confirms by decrypting, like any collision of the truncated digests.
            let values = field.values(in: profile)
            for value in values.isEmpty ? [UUID().uuidString] : values {
                indexes.append(BlindIndexRecord(field: field.rawValue, digest: Data(try keys.digest(field, normalizedValue: value)), customerId: id))
            }
        }
        let record = CustomerRecord(
            id: id, externalId: draft.externalId, partyType: profile.engagedParty.type, status: draft.status,
            version: 1, createdAt: timestamp, updatedAt: timestamp, wrappedDek: Data(wrapped), kekVersion: Int(keys.ring.activeVersion),
            sealedFields: vault.encoded, relationshipEndedAt: nil, erasedAt: nil, residence: Residence(profile))
        let customer = Customer(
            id: id, externalId: draft.externalId, status: draft.status, version: 1, createdAt: timestamp, updatedAt: timestamp, profile: profile)
        return SealedCustomer(record: record, indexes: indexes, customer: customer, keys: keys)
    }

    // MARK: Read

    /// The customer, decrypted; `nil` for an unknown or erased one (what an erasure keeps
    /// under a legal hold is read through the guarded reader, for the purposes that hold it).
    public func customer(id: String) async throws -> Customer? {
        let rows = try await database.read { db in try db.customerRecords(ids: [id]) }
        return try await open(rows.filter { $0.erasedAt == nil }).first
    }

    public func customers(where field: BlindIndexField, equals value: String) async throws -> [Customer] {
        let normalized = field.normalize(value)
        let digest = Data(try keys.current.digest(field, normalizedValue: normalized))
        let rows = try await database.read { db in
            let ids = try db.fetchColumn(String.self, "SELECT customer_id FROM blind_index WHERE field = ? AND digest = ?", [field.rawValue, digest])
            return try db.customerRecords(ids: ids).filter { $0.erasedAt == nil }
        }
        // Truncated digests collide by design: keep only the candidates whose decrypted value matches.
        return try await open(rows).filter { field.values(in: $0.profile).contains(normalized) }
    }

    /// Customers held, erased ones not counted.
    public func count() async throws -> Int {
        try await database.read { db in try db.fetchValue(Int.self, "SELECT COUNT(*) FROM customer WHERE erased_at IS NULL") ?? 0 }
    }

    /// Customers in id order after `afterID`, for streaming exports without loading everyone.
    public func page(after afterID: String?, limit: Int) async throws -> [Customer] {
        let rows = try await database.read { db in
            let ids = try db.fetchColumn(String.self, "SELECT id FROM customer WHERE id > ? AND erased_at IS NULL ORDER BY id LIMIT ?", [afterID ?? "", limit])
            return try db.customerRecords(ids: ids)
        }
        return try await open(rows)
    }

    /// Like `page`, but a customer that does not decrypt (a corrupt row, a wrapped key under a
    /// KEK version no longer loaded) is returned as its id alone instead of failing the page.
    public func pageOrUndecryptable(after afterID: String?, limit: Int) async throws -> [(id: String, customer: Customer?)] {
        let rows = try await database.read { db in
            let ids = try db.fetchColumn(String.self, "SELECT id FROM customer WHERE id > ? AND erased_at IS NULL ORDER BY id LIMIT ?", [afterID ?? "", limit])
            return try db.customerRecords(ids: ids)
        }
        var results: [(id: String, customer: Customer?)] = []
        for row in rows {
            let customer = try? await keys.withReload { keys in try row.open(keys: keys) }
            results.append((row.id, customer))
        }
        return results
    }


    /// Decrypts stored customers, reloading the KEKs once if one was rotated meanwhile.
    func open(_ rows: [CustomerRecord]) async throws -> [Customer] {
        try await keys.withReload { keys in try rows.map { try $0.open(keys: keys) } }
    }



    /// A UUIDv7 (RFC 9562): time-ordered, so new customers append to the primary-key and
    /// field b-trees instead of splitting random pages. It reveals the creation millisecond,
    /// which `created_at` stores plainly anyway.
    static func newID() -> String {
        var bytes = (try? SecureRandom.bytes(16)) ?? Array(withUnsafeBytes(of: UUID().uuid) { Array($0) })
        let milliseconds = UInt64(Date().timeIntervalSince1970 * 1000)
        for i in 0..<6 { bytes[i] = UInt8(truncatingIfNeeded: milliseconds >> (40 - 8 * UInt64(i))) }
        bytes[6] = 0x70 | (bytes[6] & 0x0F)
        bytes[8] = 0x80 | (bytes[8] & 0x3F)
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(36)
        for (index, byte) in bytes.enumerated() {
            if index == 4 || index == 6 || index == 8 || index == 10 { text.append(0x2D) }
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
