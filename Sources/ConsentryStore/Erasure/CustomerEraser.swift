import ConsentryCore
import ConsentryCrypto
import Foundation
import ConsentryStorage
import ConsentryRecords

/// Cryptographic erasure of one customer (GDPR Art. 17).
///
/// The legal holds come first (`ErasurePlan`): fields a legal-obligation purpose still
/// needs are decrypted and sealed again under a new data key. Then, in one transaction with
/// its audit entry and its `CustomerErasureEvent`: the old wrapped key is overwritten (so
/// every other ciphertext, here or in a backup, is unreadable once the ledger is re-applied),
/// the erased fields and all blind indexes are purged, receipts keep only their id, purpose,
/// time and digest, and a tombstone without personal data records what went and what stayed.
/// The erasure is then appended to the `ErasureLedger` that restores re-apply.
public struct CustomerEraser: Sendable {
    public let database: AppDatabase
    public let keys: KeyProvider
    public let journal: ChangeJournal
    public let ledger: ErasureLedger

    public init(database: AppDatabase, keys: KeyProvider, journal: ChangeJournal, ledger: ErasureLedger) {
        self.database = database
        self.keys = keys
        self.journal = journal
        self.ledger = ledger
    }

    /// An eraser with its own audit log and outbox, for a process that does not run the
    /// server's (the CLI, a restore).
    public init(database: AppDatabase, keys: KeyProvider, ledger: ErasureLedger, policy: @escaping @Sendable () -> Policy) {
        let journal = ChangeJournal(audit: AuditLog(database: database, keys: keys), outbox: EventOutbox(database: database), policy: policy)
        self.init(database: database, keys: keys, journal: journal, ledger: ledger)
    }

    public typealias Result = ErasureResult

    /// - Parameters:
    ///   - reapplying: `true` when a restore applies a ledger entry again: modules heard of it
    ///     the first time, and the ledger has it already.
    /// - Throws: `StoreError.notFound()` for an unknown customer.
    public func erase(
        customerID: String, requestID: String?, actor: AuditActor, policy: Policy, now: Date = Date(), correlationID: String?, reapplying: Bool = false
    ) async throws -> Result {
        let erasedAt = Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down))
        let (record, state, existing) = try await database.read { db in
            let record = try db.customerRecords(ids: [customerID]).first
            let state = try record.flatMap { try db.privacyStates(for: [$0])[$0.id] }
            return (record, state, try ErasureTombstone.fetch(customerID: customerID, db))
        }
        if let existing { return Result(tombstone: existing, erasedNow: false) }
        guard let record, let state else { throw StoreError.notFound() }

        // Outside the transaction: decrypt, plan, and seal what the legal holds keep.
        let prepared = try await keys.withReload { keys -> (plan: ErasurePlan, wrapped: [UInt8], vault: Data, kekVersion: Int) in
            let (stored, plan) = try Self.plan(record, state: state, keys: keys, policy: policy, now: erasedAt)
            let heldFields = Set(plan.held.map(\.field))
            let (dataKey, wrapped) = try keys.newDataKey(customerID: customerID)
            let sealer = try dataKey.sealer()
            let vault = FieldVault(entries: try stored.filter { heldFields.contains($0.1) }.map { field, _ in
                FieldVault.Entry(path: field.path, ciphertext: try DataKey.seal(field.value, owner: customerID, field: field.path.rawValue, with: sealer))
            })
            return (plan, wrapped, vault.encoded, Int(keys.ring.activeVersion))
        }
        let plan = prepared.plan
        let event = PrivacyEvent(
            type: .erasure, customerID: customerID, state: "erased", fields: plan.erased.map(\.rawValue), requestID: requestID,
            occurredAt: erasedAt, correlationID: correlationID)
        let tombstone = ErasureTombstone(
            customerID: customerID, erasedAt: erasedAt, requestID: requestID, erasedFields: plan.erased.map(\.rawValue),
            held: plan.held.map { ErasureTombstone.Held(field: $0.field.rawValue, category: $0.category, purposes: $0.purposes, until: $0.until) },
            eventID: event.id, actor: actor.description)
        let audit = AuditEvent(
            actor: actor, action: .customerErased, customerID: customerID,
            fields: plan.erased.map(\.rawValue) + plan.held.map { "\($0.field.rawValue):held" } + (requestID.map { ["request:\($0)"] } ?? []),
            outcome: "succeeded", reasons: plan.held.isEmpty ? [] : ["LEGAL_HOLD"], policyVersion: policy.version, requestID: correlationID)
        let version = record.version
        try await journal.commit([audit], announcing: reapplying ? [] : [event]) { db in
            try KeyVersions.checkWrap(version: prepared.kekVersion, db)
            let changed = try db.execute("""
                    UPDATE customer SET wrapped_dek = ?, kek_version = ?, sealed_fields = ?, erased_at = ?, status = 'closed', external_id = NULL, residence = NULL, declared_jurisdiction = NULL,
                        relationship_ended_at = COALESCE(relationship_ended_at, ?), version = version + 1, updated_at = ?
                    WHERE id = ? AND version = ? AND erased_at IS NULL
                    """, [Data(prepared.wrapped), prepared.kekVersion, prepared.vault, erasedAt, erasedAt, erasedAt, customerID, version])
            guard changed == 1 else { throw StoreError.versionConflict() }
            try db.execute("DELETE FROM blind_index WHERE customer_id = ?", [customerID])
            for receipt in try db.fetchAll("SELECT id, jws FROM consent_receipt WHERE customer_id = ? AND purged_at IS NULL", [customerID]) {
                let jws: String = receipt["jws"]
                try db.execute("UPDATE consent_receipt SET jws = '', purged_at = ?, jws_sha256 = ? WHERE id = ?", [erasedAt, SHA256.hexHash(Array(jws.utf8)), receipt["id"] as String])
            }
            // Evidence references (call recordings, form numbers) point at personal records elsewhere.
            try db.execute("UPDATE consent_event SET evidence = NULL WHERE customer_id = ?", [customerID])
            try tombstone.insert(db)
        }
        if !reapplying { try ledger.append([ErasureLedger.Entry(customerId: customerID, erasedAt: erasedAt, requestId: requestID)]) }
        // Old page images of the row may linger in the WAL until a checkpoint resets it.
        try? await database.engine.discardOldPageImages()
        return Result(tombstone: tombstone, erasedNow: true)
    }

    /// The fields a customer has, each with its policy field, and what erasing them now would keep.
    static func plan(
        _ record: CustomerRecord, state: CustomerPrivacyState, keys: KeyManager, policy: Policy, now: Date
    ) throws -> (stored: [(PersonalFieldCodec.Field, PolicyField)], plan: ErasurePlan) {
        let customer = try record.open(keys: keys)
        let stored = PersonalFieldCodec.encode(customer.profile).compactMap { field in
            PolicyField.of(storedPath: field.path, in: customer.profile).map { (field, $0) }
        }
        return (stored, ErasurePlan(customerID: record.id, fields: Array(Set(stored.map(\.1))), state: state, policy: policy, now: now))
    }

    /// What erasing the customer now would destroy and keep; `nil` if unknown or erased.
    public func preview(customerID: String, policy: Policy, now: Date = Date()) async throws -> ErasurePlan? {
        let (record, state) = try await database.read { db in
            let record = try db.customerRecords(ids: [customerID]).first
            return (record, try record.flatMap { try db.privacyStates(for: [$0])[$0.id] })
        }
        guard let record, let state, record.erasedAt == nil else { return nil }
        return try await keys.withReload { keys in try Self.plan(record, state: state, keys: keys, policy: policy, now: now).plan }
    }

    /// Once every legal hold of an erased customer has ended, destroys what was held: a new
    /// empty key and no fields. Audited and announced like the erasure.
    public func dropExpiredHolds(customerID: String, policy: Policy, now: Date = Date(), correlationID: String?) async throws {
        guard let tombstone = try await tombstone(customerID: customerID), !tombstone.held.isEmpty, tombstone.held.allSatisfy({ $0.until <= now }) else { return }
        let (_, wrapped) = try keys.current.newDataKey(customerID: customerID)
        let fields = tombstone.held.map(\.field)
        let event = PrivacyEvent(
            type: .erasure, customerID: customerID, state: "holds_expired", fields: fields, occurredAt: now, correlationID: correlationID)
        let audit = AuditEvent(
            actor: AuditActor(.system, "retention"), action: .customerHoldsExpired, customerID: customerID, fields: fields, outcome: "succeeded",
            policyVersion: policy.version, requestID: correlationID)
        let activeVersion = Int(keys.current.ring.activeVersion)
        try await journal.commit([audit], announcing: [event]) { db in
            try KeyVersions.checkWrap(version: activeVersion, db)
            try db.execute("UPDATE customer SET wrapped_dek = ?, kek_version = ?, sealed_fields = ?, version = version + 1, updated_at = ? WHERE id = ?", [Data(wrapped), activeVersion, FieldVault(entries: []).encoded, now, customerID])
            try db.execute("UPDATE erasure_tombstone SET held_fields = '' , erased_fields = erased_fields || ? WHERE customer_id = ?", [(tombstone.erasedFields.isEmpty ? "" : ",") + fields.joined(separator: ","), customerID])
        }
    }
}
