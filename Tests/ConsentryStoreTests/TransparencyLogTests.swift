import ConsentryCore
import ConsentryCrypto
import ConsentryRecords
import ConsentryStorage
import ConsentryStore
import ConsentryTesting
import Foundation
import Testing

@Suite("The transparency log over the audit trail")
struct TransparencyLogTests {
    /// An installation with `count` entries written by concurrent callers (shared batches).
    func installation(entries count: Int) async throws -> (TestInstallation, AuditLog, TransparencyLog) {
        let installation = try await TestInstallation.make()
        let audit = AuditLog(database: installation.database, keys: installation.keys)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for n in 0..<count { group.addTask { try await audit.record(AuditTrailTests.event(n)) } }
            try await group.waitForAll()
        }
        let log = TransparencyLog(database: installation.database, keys: installation.keys)
        // The audit writer starts the catch-up after each batch; wait for it.
        try await log.catchUp()
        return (installation, audit, log)
    }

    /// The leaves rebuilt from the audit rows, as a verifier holding the whole trail would.
    func leaves(_ log: TransparencyLog, count: Int) async throws -> [[UInt8]] {
        var leaves: [[UInt8]] = []
        for seq in 1...count { leaves.append(try #require(try await log.leaf(seq: Int64(seq))).hash) }
        return leaves
    }

    @Test("every entry becomes a leaf; the stored tree's roots are the reference roots; heads verify")
    func treeFollowsTrail() async throws {
        let (installation, _, log) = try await installation(entries: 57)
        let reference = MerkleTree.InMemory(leaves: try await leaves(log, count: 57))
        for size in [1, 2, 3, 31, 32, 33, 56, 57] { #expect(try await log.root(size: size) == reference.root(size: size), "size \(size)") }
        let head = try #require(try await log.head(covering: 57))
        #expect(head.treeSize == 57 && head.rootHash == reference.root())
        #expect(head.isValid(publicKey: log.publicKey))
        var forged = head
        forged.treeSize = 56
        #expect(!forged.isValid(publicKey: log.publicKey), "the size is signed")
        // Each leaf's salt differs, so equal entries do not have equal leaves.
        let salts = Set(try await (1...57).asyncMap { try await log.leaf(seq: Int64($0))!.salt })
        #expect(salts.count == 57)
        withExtendedLifetime(installation) {}
    }

    @Test("a customer's proof verifies from the published key; another customer's entry is not given; a changed entry fails")
    func inclusionDocuments() async throws {
        let (installation, _, log) = try await installation(entries: 30)
        let leaf = try #require(try await log.leaf(seq: 9))
        let customer = try #require(leaf.customerID)
        let document = try #require(try await TransparencyDocuments.inclusion(seq: 9, customerID: customer, log: log))
        let key = try TransparencyDocuments.publicKey(jwks: TransparencyDocuments.jwks(publicKey: log.publicKey), keyID: log.keyID)
        let (head, seq) = try TransparencyDocuments.verifyInclusion(document, publicKey: key)
        #expect(seq == 9 && head.treeSize >= 30)
        #expect(try await TransparencyDocuments.inclusion(seq: 9, customerID: "someone-else", log: log) == nil)
        #expect(try await TransparencyDocuments.inclusion(seq: 999, customerID: customer, log: log) == nil)

        // The operator changes what the trail says about this read: the proof no longer verifies.
        var edited = document
        if case .object(var entry)? = document["entry"] {
            entry = entry.map { $0.0 == "purpose" ? ($0.0, .string("fraud-prevention")) : $0 }
            edited.set("entry", .object(entry))
        }
        #expect(throws: TransparencyDocuments.Failure.self) { try TransparencyDocuments.verifyInclusion(edited, publicKey: key) }
        _ = try await installation.database.write { db in try db.execute("UPDATE audit_entry SET purpose = 'fraud-prevention' WHERE seq = 9", []) }
        let afterEdit = try #require(try await TransparencyDocuments.inclusion(seq: 9, customerID: customer, log: log))
        #expect(throws: TransparencyDocuments.Failure.self) { try TransparencyDocuments.verifyInclusion(afterEdit, publicKey: key) }
        // Another key does not verify the head.
        let other = try Ed25519PrivateKey(seed: SecureBytes(randomCount: 32))
        #expect(throws: TransparencyDocuments.Failure.self) { try TransparencyDocuments.verifyInclusion(document, publicKey: other.publicKey) }
    }

    @Test("consistency between any two heads verifies; a log rebuilt after an upgrade has the same roots")
    func consistencyAndCatchUp() async throws {
        let (installation, audit, log) = try await installation(entries: 20)
        let first = try #require(try await log.head(covering: 20))
        for n in 20..<45 { try await audit.record(AuditTrailTests.event(n)) }
        let second = try #require(try await log.head(covering: 45))
        let document = try await TransparencyDocuments.consistency(from: first.treeSize, to: second.treeSize, log: log)
        let (from, to) = try TransparencyDocuments.verifyConsistency(document, publicKey: log.publicKey)
        #expect(from == first && to == second)

        // An installation from before the log (no tree yet): the next batch builds it, with the same roots.
        let root = try await log.root(size: 45)
        _ = try await installation.database.write { db in
            try db.execute("DELETE FROM transparency_node", [])
            try db.execute("DELETE FROM transparency_head", [])
        }
        try await audit.record(AuditTrailTests.event(99))
        try await log.catchUp()
        #expect(try await log.root(size: 45) == root)
        #expect(try await log.head(covering: 46)?.treeSize == 46)
    }
}

extension Sequence {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var out: [T] = []
        for element in self { out.append(try await transform(element)) }
        return out
    }
}
