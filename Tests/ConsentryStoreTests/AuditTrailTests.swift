import ConsentryCore
import ConsentryStore
import ConsentryTesting
import Foundation
import ConsentryStorage
import Testing
import ConsentryRecords

@Suite("Tamper-evident audit trail")
struct AuditTrailTests {
    static func event(_ n: Int) -> AuditEvent {
        AuditEvent(
            actor: AuditActor(.module, "billing-account-management"), action: AuditAction(rawValue: "customer.read"), customerID: "c\(n % 7)", purpose: "billing",
            fields: ["engagedParty.givenName", "contactMedium.email:masked"], outcome: "partial", reasons: ["MASKED_BY_POLICY", "PERMITTED"],
            policyVersion: "sha256:0123456789abcdef", requestID: "r\(n)")
    }

    /// An installation with 40 entries written by 40 concurrent callers (group commit).
    func trail() async throws -> (TestInstallation, AuditLog) {
        let installation = try await TestInstallation.make()
        let log = AuditLog(database: installation.database, keys: installation.keys)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for n in 0..<40 { group.addTask { try await log.record(Self.event(n)) } }
            try await group.waitForAll()
        }
        return (installation, log)
    }

    func verify(_ installation: TestInstallation, head: (Int64, String)? = nil) async throws -> AuditVerifier.Report {
        try await AuditVerifier(database: installation.database, keys: installation.keys).verify(expectedHead: head)
    }

    @Test("concurrent callers share transactions, every entry is chained and the trail verifies")
    func groupCommitVerifies() async throws {
        let (installation, _) = try await trail()
        let report = try await verify(installation)
        #expect(report.isIntact, "\(String(describing: report.problem))")
        #expect(report.entries == 40)
        // Fewer checkpoints than entries: batches were shared.
        #expect(report.checkpoints >= 1 && report.checkpoints < 40)
        let requestIDs = try await installation.database.read { db in try db.fetchColumn(String.self, "SELECT request_id FROM audit_entry") }
        #expect(Set(requestIDs) == Set((0..<40).map { "r\($0)" }))
    }

    @Test("an edited entry is reported by its sequence number")
    func edit() async throws {
        let (installation, _) = try await trail()
        try await installation.database.write { db in try db.execute("UPDATE audit_entry SET purpose = 'direct-marketing' WHERE seq = 17") }
        let problem = try #require(try await verify(installation).problem)
        #expect(problem.seq == 17 && problem.kind == .edited)
    }

    /// Edits entry `seq` and recomputes every later hash, as someone with write access to the
    /// database but not the KEK can (SHA-256 needs no key).
    static func rewriteChain(from seq: Int64, _ db: any StorageConnection) throws {
        try db.execute("UPDATE audit_entry SET outcome = 'denied' WHERE seq = ?", [seq])
        var previous = seq == 1 ? AuditEntry.genesisHash : Array(try db.fetchValue(Data.self, "SELECT hash FROM audit_entry WHERE seq = ?", [seq - 1])!)
        for row in try db.fetchAll("SELECT * FROM audit_entry WHERE seq >= ? ORDER BY seq", [seq]) {
            let event = AuditEvent(
                actor: AuditActor(AuditActor.Kind(rawValue: row["actor_kind"])!, row["actor_id"]), action: AuditAction(rawValue: row["action"]),
                customerID: row["customer_id"], purpose: row["purpose"], fields: (row["fields"] as String).split(separator: ",").map(String.init),
                outcome: row["outcome"], reasons: (row["reasons"] as String).split(separator: ",").map(String.init),
                policyVersion: row["policy_version"], requestID: row["request_id"])
            let hash = AuditEntry.chainHash(previous: previous, seq: row["seq"], occurredAt: row["occurred_at"], event: event)
            try db.execute("UPDATE audit_entry SET prev_hash = ?, hash = ? WHERE seq = ?", [Data(previous), Data(hash), row["seq"] as Int64])
            previous = hash
        }
    }

    @Test("an edit with every later hash recomputed is caught by the signed checkpoints")
    func rewrittenChain() async throws {
        let (installation, _) = try await trail()
        try await installation.database.write { db in try Self.rewriteChain(from: 5, db) }
        let problem = try #require(try await verify(installation).problem)
        #expect(problem.kind == .edited || problem.kind == .badCheckpoint)
        #expect(problem.seq >= 5)
    }

    @Test("forgery without the KEK (finding 1): the checkpoint key is never recreated, and a chain rewritten with its checkpoints deleted is never signed")
    func forgeryWithoutTheKEK() async throws {
        let (installation, log) = try await trail()
        // The attack: rewrite from entry 1 and delete every checkpoint (and, in its first
        // form, the checkpoint key, so that a fresh one would sign the forgery).
        try await installation.database.write { db in
            try Self.rewriteChain(from: 1, db)
            try db.execute("DELETE FROM audit_checkpoint")
        }
        // The server refuses to extend (and so to sign) the forged chain: the write fails, loudly.
        await #expect(throws: StoreError.self) { try await log.record(Self.event(100)) }
        #expect(await AuditLog.headStatus(database: installation.database, keys: installation.keys) == "the last entry (40) has no signed checkpoint")
        let report = try await verify(installation)
        #expect(report.problem?.kind == .unsigned, "\(String(describing: report.problem))")
        #expect(report.entries == 40)

        try await installation.database.write { db in try db.execute("DELETE FROM system_key WHERE name = 'audit-checkpoint'") }
        await #expect(throws: KeyError.systemKeyMissing(name: "audit-checkpoint")) { _ = try await installation.dataDirectory.open() }
    }

    @Test("a head whose checkpoint was re-signed under a substituted key id is refused and reported")
    func substitutedKeyID() async throws {
        let (installation, log) = try await trail()
        try await installation.database.write { db in try db.execute("UPDATE audit_checkpoint SET key_id = ?", [Data(repeating: 7, count: 8)]) }
        let problem = try #require(try await verify(installation).problem)
        #expect(problem.kind == .badCheckpoint && problem.detail.contains("names key 0707070707070707"))
        await #expect(throws: StoreError.self) { try await log.record(Self.event(100)) }
    }

    @Test("a new installation creates its system keys; one in use does not")
    func systemKeysOnlyWhileNew() async throws {
        let installation = try await TestInstallation.make()
        // Nothing recorded yet: a lost key may still be created (nothing depends on it).
        try await installation.database.write { db in try db.execute("DELETE FROM system_key WHERE name = 'receipt-signing'") }
        _ = try await installation.dataDirectory.open()
        try await AuditLog(database: installation.database, keys: installation.keys).record(Self.event(1))
        try await installation.database.write { db in try db.execute("DELETE FROM system_key WHERE name = 'event-signing-root'") }
        await #expect(throws: KeyError.systemKeyMissing(name: "event-signing-root")) { _ = try await installation.dataDirectory.open() }
    }

    @Test("a deleted entry is reported as missing")
    func deletion() async throws {
        let (installation, _) = try await trail()
        try await installation.database.write { db in try db.execute("DELETE FROM audit_entry WHERE seq = 23") }
        let problem = try #require(try await verify(installation).problem)
        #expect(problem.seq == 23 && problem.kind == .missing)
    }

    @Test("swapped entries break the chain at the first of them")
    func reordering() async throws {
        let (installation, _) = try await trail()
        try await installation.database.write { db in
            try db.execute("UPDATE audit_entry SET seq = -1 WHERE seq = 10")
            try db.execute("UPDATE audit_entry SET seq = 10 WHERE seq = 11")
            try db.execute("UPDATE audit_entry SET seq = 11 WHERE seq = -1")
        }
        let problem = try #require(try await verify(installation).problem)
        #expect(problem.seq == 10)
        #expect(problem.kind == .chainBroken || problem.kind == .edited)
    }

    @Test("a truncated tail is caught by the last checkpoint; tail and checkpoints together by the saved head")
    func truncation() async throws {
        let (installation, log) = try await trail()
        try await log.record(Self.event(99))  // its own batch: the last checkpoint signs entry 41
        let head = try await verify(installation)
        #expect(head.isIntact && head.headSeq == 41)
        try await installation.database.write { db in try db.execute("DELETE FROM audit_entry WHERE seq > 38") }
        let problem = try #require(try await verify(installation).problem)
        #expect(problem.kind == .truncated && problem.seq == 39)
        try await installation.database.write { db in try db.execute("DELETE FROM audit_checkpoint WHERE seq > 38") }
        let withHead = try #require(try await verify(installation, head: (head.headSeq, head.headHash)).problem)
        #expect(withHead.kind == .truncated)
    }

    @Test("a forged checkpoint does not verify")
    func forgedCheckpoint() async throws {
        let (installation, _) = try await trail()
        try await installation.database.write { db in try db.execute("UPDATE audit_checkpoint SET mac = ?", [Data(repeating: 0, count: 32)]) }
        #expect(try await verify(installation).problem?.kind == .badCheckpoint)
    }

    @Test("entries hold names and codes, never values")
    func noValues() async throws {
        let installation = try await TestInstallation.make()
        let customer = try await installation.store.create(SyntheticCustomers().draft(3))
        let log = AuditLog(database: installation.database, keys: installation.keys)
        try await log.record(AuditEvent(actor: AuditActor(.module, "csr-toolbox"), action: AuditAction(rawValue: "customer.read"), customerID: customer.id,
                                        fields: ["contactMedium.email"], outcome: "permitted"))
        let dump = try await installation.database.read { db in
            try db.fetchAll("SELECT * FROM audit_entry").map(\.description).joined()
        }
        for value in customer.profile.emails + customer.profile.phoneNumbers { #expect(!dump.contains(value)) }
    }
}

@Suite("Module API keys")
struct ApiKeyTests {
    @Test("a key authenticates its principal, is stored only hashed, and stops working when revoked")
    func lifecycle() async throws {
        let installation = try await TestInstallation.make()
        let keys = ApiKeyStore(database: installation.database)
        let (token, info) = try await keys.create(for: Principal(kind: .module, id: "csr-toolbox"), label: "agent desktop")
        #expect(token.hasPrefix("csk_\(info.id)_"))
        #expect(try await keys.authenticate(token) == Principal(kind: .module, id: "csr-toolbox"))
        #expect(try await keys.authenticate(token + "x") == nil)
        var wrong = Array(token)
        wrong[wrong.count - 1] = wrong.last == "A" ? "B" : "A"
        #expect(try await keys.authenticate(String(wrong)) == nil)
        // Only the hash is stored: the secret part is nowhere in the database file.
        let secret = String(token.split(separator: "_")[2])
        let stored = try await installation.database.read { db in try db.fetchAll("SELECT * FROM api_key").map(\.description).joined() }
        #expect(!stored.contains(secret))
        #expect(try await keys.list().map(\.id) == [info.id])
        try await keys.revoke(info.id)
        #expect(try await keys.authenticate(token) == nil)
        #expect(try await keys.list().first?.revokedAt != nil)
    }

    @Test("a revocation from another process takes effect within the cache lifetime")
    func revocationFromElsewhere() async throws {
        let installation = try await TestInstallation.make()
        let server = ApiKeyStore(database: installation.database, cacheLifetime: .milliseconds(200))
        let cli = ApiKeyStore(database: installation.database)
        let (token, info) = try await cli.create(for: Principal(kind: .module, id: "case-management"))
        #expect(try await server.authenticate(token) != nil)
        try await cli.revoke(info.id)
        try await Task.sleep(for: .milliseconds(250))
        #expect(try await server.authenticate(token) == nil)
    }
}
