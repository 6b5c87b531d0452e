import ConsentryCore
import ConsentryCrypto
import Foundation
import ConsentryStorage
import Synchronization
import ConsentryRecords

/// The append-only, hash-chained audit trail, written with group commit.
///
/// `record` returns only once its entries are committed with `synchronous = FULL`, so a
/// caller that sends data after `record` returns never sends data whose audit entry could be
/// lost. Concurrent callers share transactions: while one batch commits, the next one
/// gathers, so the fsync cost is paid once per batch, not once per request. Each batch ends
/// with a checkpoint signed with HMAC-SHA256 under a KEK-protected key, which lets
/// `AuditVerifier` detect truncation and a rewritten chain.
///
/// `commit(_:change:)` puts a data change (a consent, a rectification, with its outbox
/// events) in the same batch: the change and its audit entries commit together or not at
/// all, and concurrent changes share one fsync.
public final class AuditLog: Sendable {
    private let queue: AuditQueue
    private let signals: AsyncStream<Void>.Continuation
    private let transparencySignals: AsyncStream<Void>.Continuation

    public init(database: AppDatabase, keys: KeyProvider) {
        let queue = AuditQueue()
        let (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        self.queue = queue
        self.signals = continuation
        // The transparency log's own writer: after batches, the tree catches up with the
        // trail (hashing outside any transaction), keeping its right edge between rounds.
        let (transparencyStream, transparencySignals) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        self.transparencySignals = transparencySignals
        let transparency = TransparencyLog(database: database, keys: keys)
        Task.detached {
            let edge = TransparencyEdgeCache()
            for await _ in transparencyStream {
                // A failure (the database gone a moment) is retried after the next batch; a gap
                // in the trail stops the log there (`consentry audit verify` names the gap).
                try? await transparency.catchUp(cache: edge)
                // Rounds at most every 200 ms: a busy server appends many batches per round,
                // one transaction (one fsync) instead of one per batch. Measured: a round per
                // batch cost the guarded read 6 % of its throughput.
                try? await Task.sleep(for: .milliseconds(200))
            }
        }
        // The writer holds only what it needs, not `self`, so dropping the log ends it.
        Task.detached {
            for await _ in stream {
                while let batch = queue.takeBatch() {
                    do {
                        let failures = try await Self.write(batch, database: database, keys: keys)
                        for (index, request) in batch.enumerated() {
                            if let failure = failures[index] { request.continuation.resume(throwing: failure) } else { request.continuation.resume() }
                        }
                        // The transparency log follows, off the requests' path.
                        if failures.contains(where: { $0 == nil }) { transparencySignals.yield() }
                    } catch {
                        for request in batch { request.continuation.resume(throwing: error) }
                    }
                }
            }
        }
    }

    deinit {
        signals.finish()
        transparencySignals.finish()
    }

    /// Appends `events` and returns once they are durable.
    public func record(_ events: [AuditEvent]) async throws {
        guard !events.isEmpty else { return }
        try await enqueue(events, change: nil)
    }

    /// Runs `change` and appends `events` in one transaction shared with other callers, and
    /// returns `change`'s result once both are durable. A `change` that throws rolls back
    /// alone (it runs in a savepoint) and its events are not written.
    public func commit<T: Sendable>(_ events: [AuditEvent], change: @escaping @Sendable (any StorageConnection) throws -> T) async throws -> T {
        let result = ChangeResult<T>()
        try await enqueue(events) { db in result.value = try change(db) }
        guard let value = result.value else { throw StoreError(code: .`internal`, message: "a committed change left no result") }
        return value
    }

    private func enqueue(_ events: [AuditEvent], change: (@Sendable (any StorageConnection) throws -> Void)?) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            if queue.enqueue(AuditQueue.Request(events: events, change: change, continuation: continuation)) { signals.yield() }
        }
    }

    public func record(_ event: AuditEvent) async throws {
        try await record([event])
    }

    /// Writes one batch and its checkpoint in one transaction, chained onto the last entry
    /// in the database (read inside the transaction, so other processes may append too).
    /// - Returns: per request, the error its change threw, or `nil`.
    static func write(_ batch: [AuditQueue.Request], database: AppDatabase, keys: KeyProvider) async throws -> [(any Error)?] {
        let checkpointKey = keys.current.auditCheckpointKey
        let keyID = keys.current.auditCheckpointKeyID
        return try await database.write { db in
            // One chain, whichever server appends: batches take turns (a no-op on SQLite). Taken
            // before the changes run, so two servers' batches never hold row locks the other
            // waits for (measured: taken after them, concurrent consent changes on two servers
            // deadlocked and waited out PostgreSQL's 1 s deadlock timeout).
            try db.lock(.auditChain)
            var failures: [(any Error)?] = Array(repeating: nil, count: batch.count)
            var events: [AuditEvent] = []
            for (index, request) in batch.enumerated() {
                if let change = request.change {
                    do {
                        try db.savepoint { try change(db) }
                    } catch {
                        failures[index] = error
                        continue
                    }
                }
                events += request.events
            }
            guard !events.isEmpty else { return failures }
            let last = try db.fetchOne(headQuery)
            if let last { try requireSigned(head: last, keys: keys.current) }
            var seq: Int64 = last?["seq"] ?? 0
            var previous: [UInt8] = (last?["hash"] as Data?).map { Array($0) } ?? AuditEntry.genesisHash
            let occurredAt = AuditClock.now()
            let insert = """
                INSERT INTO audit_entry (seq, occurred_at, actor_kind, actor_id, action, customer_id, purpose, fields, outcome, reasons, policy_version, request_id, prev_hash, hash)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
            var rows: [[(any SQLValueConvertible)?]] = []
            rows.reserveCapacity(events.count)
            for event in events {
                seq += 1
                let hash = AuditEntry.chainHash(previous: previous, seq: seq, occurredAt: occurredAt, event: event)
                rows.append([
                    seq, occurredAt, event.actor.kind.rawValue, event.actor.id, event.action.rawValue, event.customerID, event.purpose,
                    event.fields.joined(separator: ","), event.outcome, event.reasons.joined(separator: ","), event.policyVersion,
                    event.requestID, Data(previous), Data(hash),
                ])
                previous = hash
            }
            if db.dialect == .postgres {
                // One round trip per 400 entries instead of one per entry: the batch holds the chain's lock meanwhile.
                for chunk in stride(from: 0, to: rows.count, by: 400).map({ rows[$0..<min($0 + 400, rows.count)] }) {
                    let values = Array(repeating: "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", count: chunk.count).joined(separator: ", ")
                    try db.execute(insert.components(separatedBy: "VALUES")[0] + "VALUES " + values, chunk.flatMap { $0 })
                }
            } else {
                // SQLite: one cached statement run per entry is cheaper than compiling a long one.
                for row in rows { try db.execute(insert, row) }
            }
            let mac = try AuditCheckpoint.mac(seq: seq, entryHash: previous, signedAt: occurredAt, keyID: keyID, key: checkpointKey)
            try db.execute(
                "INSERT INTO audit_checkpoint (seq, entry_hash, signed_at, mac, key_id) VALUES (?, ?, ?, ?, ?)",
                [seq, Data(previous), occurredAt, Data(mac), Data(keyID)])
            return failures
        }
    }

    static let headQuery = """
        SELECT e.seq, e.hash, c.entry_hash AS signed_hash, c.signed_at, c.mac, c.key_id
        FROM audit_entry e LEFT JOIN audit_checkpoint c ON c.seq = e.seq ORDER BY e.seq DESC LIMIT 1
        """

    /// Refuses to extend a chain whose head is not covered by a valid checkpoint.
    ///
    /// Every batch signs its last entry in the transaction that writes it, so the head always
    /// has one. A head without one was written by someone without the checkpoint key (a
    /// rewritten or extended chain, deleted checkpoints); signing on top of it would vouch for
    /// the forgery. Costs one join and one HMAC per batch.
    private static func requireSigned(head: SQLRow, keys: KeyManager) throws {
        guard let why = try problem(withHead: head, keys: keys) else { return }
        throw StoreError(
            code: .auditTampered,
            message: "the audit trail's last entry \(why); refusing to extend it. Run `consentry audit verify` and restore the database from a backup")
    }

    /// What is wrong with the head row of `headQuery`, or `nil` when a valid checkpoint signs it.
    static func problem(withHead head: SQLRow, keys: KeyManager) throws -> String? {
        let seq: Int64 = head["seq"]
        guard let signedHash = head["signed_hash"] as Data?, let signedAt = head["signed_at"] as String?, let mac = head["mac"] as Data? else {
            return "(\(seq)) has no signed checkpoint"
        }
        let keyID = (head["key_id"] as Data?).map { Array($0) }
        if let keyID, keyID != keys.auditCheckpointKeyID { return "(\(seq)) was signed by another key" }
        let hash = Array(head["hash"] as Data)
        guard Array(signedHash) == hash,
            try AuditCheckpoint.isValid(Array(mac), seq: seq, entryHash: hash, signedAt: signedAt, keyID: keyID, key: keys.auditCheckpointKey)
        else { return "(\(seq)) does not match its signed checkpoint" }
        return nil
    }

    /// `ok`, or why the trail's head cannot be extended: what `/health/ready` reports.
    public static func headStatus(database: AppDatabase, keys: KeyProvider) async -> String {
        do {
            let manager = keys.current
            let why = try await database.read { db in try db.fetchOne(headQuery).flatMap { try problem(withHead: $0, keys: manager) } }
            return why.map { "the last entry \($0)" } ?? "ok"
        } catch {
            return "unknown"
        }
    }
}

/// Carries a change's result out of the writer's transaction.
final class ChangeResult<T: Sendable>: Sendable {
    private let storage = Mutex<T?>(nil)

    var value: T? {
        get { storage.withLock { $0 } }
        set { storage.withLock { $0 = newValue } }
    }
}

/// Requests waiting for the next batch. A request arriving while a batch commits waits for
/// the next one; the writer takes everything queued at once.
final class AuditQueue: Sendable {
    struct Request: Sendable {
        var events: [AuditEvent]
        var change: (@Sendable (any StorageConnection) throws -> Void)?
        var continuation: CheckedContinuation<Void, any Error>
    }

    private let state = Mutex<(pending: [Request], writerAwake: Bool)>(([], false))

    /// - Returns: `true` when the writer must be woken.
    func enqueue(_ request: Request) -> Bool {
        state.withLock { state in
            state.pending.append(request)
            if state.writerAwake { return false }
            state.writerAwake = true
            return true
        }
    }

    /// Everything queued, or `nil` (and the writer goes to sleep) when nothing is.
    func takeBatch() -> [Request]? {
        state.withLock { state in
            guard !state.pending.isEmpty else {
                state.writerAwake = false
                return nil
            }
            defer { state.pending.removeAll(keepingCapacity: true) }
            return state.pending
        }
    }
}

/// Millisecond UTC timestamps for audit entries: `2026-11-27T07:13:12.345Z`.
enum AuditClock {
    static func now() -> String { format(Date()) }

    static func format(_ date: Date) -> String {
        let milliseconds = Int((date.timeIntervalSince1970 * 1000).rounded(.down))
        let seconds = Date(timeIntervalSince1970: TimeInterval(milliseconds / 1000))
        let base = ISOTimestamp.format(seconds)
        let fraction = milliseconds % 1000
        return String(base.dropLast()) + "." + String(repeating: "0", count: fraction < 10 ? 2 : fraction < 100 ? 1 : 0) + String(fraction) + "Z"
    }
}
