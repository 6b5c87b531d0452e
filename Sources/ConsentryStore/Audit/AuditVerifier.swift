import ConsentryCrypto
import Foundation
import ConsentryStorage
import ConsentryRecords

/// Checks the audit trail end to end: sequence, chain, every entry's hash, every checkpoint's
/// signature, and that the last checkpoint covers the last entry.
///
/// What each kind of tampering looks like to it:
/// - an edited entry: its hash no longer matches its contents;
/// - an edited entry whose hash (and every later hash) was recomputed: a signed checkpoint
///   no longer matches the chain (SHA-256 needs no key; the checkpoint MAC does);
/// - a deleted entry: a gap in the sequence;
/// - reordered entries: the chain link (`prev_hash`) or the hash breaks at the first one;
/// - truncation: a checkpoint names an entry that is gone;
/// - deleting the tail *and* its checkpoints: not detectable from the database alone; keep
///   the head (`consentry audit verify` prints it) elsewhere and pass it back with `--expect-head`.
public struct AuditVerifier: Sendable {
    public let database: AppDatabase
    public let keys: KeyProvider

    public init(database: AppDatabase, keys: KeyProvider) {
        self.database = database
        self.keys = keys
    }

    public struct Report: Sendable, Equatable {
        public var entries: Int64
        public var checkpoints: Int
        /// `seq` and hash (hex) of the last entry: the head to keep elsewhere.
        public var headSeq: Int64
        public var headHash: String
        public var problem: Problem?

        public var isIntact: Bool { problem == nil }
    }

    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        /// The first entry found bad (or, for truncation, the first missing one).
        public var seq: Int64
        public var kind: Kind
        public var detail: String

        public enum Kind: String, Sendable {
            case missing, edited, chainBroken = "chain-broken", truncated, badCheckpoint = "bad-checkpoint", unsigned
            case headMismatch = "head-mismatch"
        }

        public var description: String { "entry \(seq): \(kind.rawValue): \(detail)" }
    }

    /// - Parameter expectedHead: a head saved earlier (`seq`, hex hash); the chain must still
    ///   contain that entry unchanged.
    public func verify(expectedHead: (seq: Int64, hash: String)? = nil) async throws -> Report {
        let key = keys.current.auditCheckpointKey
        let keyID = keys.current.auditCheckpointKeyID
        return try await database.read { db in
            var checkpoints: [(seq: Int64, hash: [UInt8], signedAt: String, mac: [UInt8], keyID: [UInt8]?)] = []
            for row in try db.fetchAll("SELECT seq, entry_hash, signed_at, mac, key_id FROM audit_checkpoint ORDER BY seq") {
                checkpoints.append((row["seq"], Array(row["entry_hash"] as Data), row["signed_at"], Array(row["mac"] as Data), (row["key_id"] as Data?).map { Array($0) }))
            }
            var problem: Problem?
            func flag(_ seq: Int64, _ kind: Problem.Kind, _ detail: String) {
                if problem == nil { problem = Problem(seq: seq, kind: kind, detail: detail) }
            }
            for checkpoint in checkpoints {
                if let signer = checkpoint.keyID, signer != keyID {
                    flag(checkpoint.seq, .badCheckpoint, "the checkpoint names key \(signer.hexString), not this installation's checkpoint key \(keyID.hexString)")
                } else if !(try AuditCheckpoint.isValid(
                    checkpoint.mac, seq: checkpoint.seq, entryHash: checkpoint.hash, signedAt: checkpoint.signedAt, keyID: checkpoint.keyID, key: key))
                {
                    flag(checkpoint.seq, .badCheckpoint, "the checkpoint's signature does not verify")
                }
            }
            let checkpointHashes = Dictionary(checkpoints.map { ($0.seq, $0.hash) }, uniquingKeysWith: { a, _ in a })
            var expected: Int64 = 1
            var previous = AuditEntry.genesisHash
            var headHash: [UInt8] = []
            var expectedHeadFound = false
            try db.forEach("SELECT * FROM audit_entry ORDER BY seq", []) { row in
                let seq: Int64 = row["seq"]
                let stored = Array(row["hash"] as Data)
                if seq != expected { flag(expected, .missing, "entries \(expected)...\(seq - 1) are missing") }
                if Array(row["prev_hash"] as Data) != previous { flag(seq, .chainBroken, "it does not link to the entry before it") }
                let event = AuditEvent(
                    actor: AuditActor(AuditActor.Kind(rawValue: row["actor_kind"]) ?? .system, row["actor_id"]),
                    action: AuditAction(rawValue: row["action"]), customerID: row["customer_id"], purpose: row["purpose"],
                    fields: Self.list(row["fields"]), outcome: row["outcome"], reasons: Self.list(row["reasons"]),
                    policyVersion: row["policy_version"], requestID: row["request_id"])
                if row["actor_kind"] != event.actor.kind.rawValue { flag(seq, .edited, "unknown actor kind") }
                let computed = AuditEntry.chainHash(previous: Array(row["prev_hash"] as Data), seq: seq, occurredAt: row["occurred_at"], event: event)
                if computed != stored { flag(seq, .edited, "its contents do not match its hash") }
                if let signed = checkpointHashes[seq], signed != stored {
                    flag(seq, .edited, "it differs from the signed checkpoint (the chain was rewritten)")
                }
                if let head = expectedHead, head.seq == seq {
                    expectedHeadFound = true
                    if stored.hexString != head.hash { flag(seq, .headMismatch, "the saved head's hash differs") }
                }
                previous = stored
                headHash = stored
                expected = seq + 1
            }
            let last = expected - 1
            if let head = expectedHead, !expectedHeadFound {
                flag(min(head.seq, last + 1), .truncated, "the saved head \(head.seq) is no longer in the trail")
            }
            if let lastCheckpoint = checkpoints.last {
                if lastCheckpoint.seq > last {
                    flag(last + 1, .truncated, "a checkpoint signed entry \(lastCheckpoint.seq) but the trail ends at \(last)")
                } else if lastCheckpoint.seq < last {
                    flag(lastCheckpoint.seq + 1, .unsigned, "entries after \(lastCheckpoint.seq) are not covered by a signed checkpoint")
                }
            } else if last > 0 {
                flag(1, .unsigned, "no signed checkpoint covers the trail")
            }
            return Report(entries: last, checkpoints: checkpoints.count, headSeq: last, headHash: headHash.hexString, problem: problem)
        }
    }

    static func list(_ text: String) -> [String] {
        text.isEmpty ? [] : text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    }
}
