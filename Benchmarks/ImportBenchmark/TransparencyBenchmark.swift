import ConsentryCore
import ConsentryCrypto
import ConsentryRecords
import ConsentryStorage
import ConsentryStore
import ConsentryTesting
import Foundation

/// Issue #16's figures: what maintaining the transparency log costs per audit entry, and
/// proof generation time and size in a log of `leaves` entries (default 10,000,000).
enum TransparencyBenchmark {
    static func run(leaves total: Int) async throws {
        // 1. Per-entry cost: 20,000 entries written by 32 concurrent callers (shared batches, as
        //    the guarded API writes them), then the whole tree rebuilt from the trail, which is
        //    the same work per entry as the writer's (read the entry back, salt, hash, store).
        let installation = try await TestInstallation.make()
        let audit = AuditLog(database: installation.database, keys: installation.keys)
        let log = TransparencyLog(database: installation.database, keys: installation.keys)
        let entries = 20_000
        var start = now()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for caller in 0..<32 {
                group.addTask {
                    for n in stride(from: caller, to: entries, by: 32) {
                        try await audit.record(AuditEvent(
                            actor: AuditActor(.module, "csr-toolbox"), action: .customerRead, customerID: "customer-\(n % 997)", purpose: "customer-care",
                            fields: ["engagedParty.givenName", "contactMedium.email", "engagedParty.birthDate:masked"], outcome: "partial",
                            policyVersion: "sha256:0123456789abcdef", requestID: "r\(n)"))
                    }
                }
            }
            try await group.waitForAll()
        }
        let written = now() - start
        let root = try await log.root(size: entries)
        _ = try await installation.database.write { db in
            try db.execute("DELETE FROM transparency_node", [])
            try db.execute("DELETE FROM transparency_head", [])
        }
        start = now()
        try await audit.record(AuditEvent(actor: AuditActor(.operator, "bench"), action: .policyReload, outcome: "succeeded", policyVersion: "x"))
        let rebuilt = now() - start
        let rebuiltRoot = try await log.root(size: entries)
        precondition(rebuiltRoot == root, "the rebuilt tree differs")
        let perEntry = rebuilt / Double(entries) * 1_000_000
        print(String(format: "audit entries written with the log, 32 callers: %.0f/s (%.1f µs each, wall)", Double(entries) / written, written / Double(entries) * 1_000_000))
        print(String(format: "maintaining the tree: %.1f µs per entry (leaf salt and hash, node hashes, 2 rows), %.2f s for %d entries", perEntry, rebuilt, entries))
        let leafKey = installation.keys.current
        start = now()
        var digest: [UInt8] = []
        for n in 0..<100_000 {
            let leaf = TransparencyLeaf(
                seq: Int64(n + 1), occurredAt: "2026-12-02T07:50:49.123Z", actorKind: "module", actorID: "csr-toolbox", action: "customer.read",
                customerID: "01a23583-dc18-7e1c-a825-f1af2e1008a1", purpose: "customer-care", fields: "engagedParty.givenName,contactMedium.email",
                outcome: "partial", salt: try TransparencyLeaf.salt(seq: Int64(n + 1), key: leafKey.leafSaltKeyForBenchmarks))
            digest = leaf.hash
        }
        print(String(format: "one leaf (salt, encoding, hash): %.2f µs", (now() - start) / 100_000 * 1_000_000), digest.count)
        let headKey = installation.keys.current.treeHeadKey
        start = now()
        for i in 0..<2000 { _ = try headKey.signature(for: SignedTreeHead.message(treeSize: i, rootHash: root, timestamp: 0)) }
        print(String(format: "signing a tree head (Ed25519, OpenSSL): %.1f µs", (now() - start) / 2000 * 1_000_000))

        // 2. Proofs in a log of `total` entries: the perfect subtrees of `total` synthetic leaves,
        //    stored as the writer stores them, then proofs for random entries and sizes.
        let big = try await TestInstallation.make()
        let bigLog = TransparencyLog(database: big.database, keys: big.keys)
        start = now()
        var frontier: [[UInt8]?] = []
        var index = 0
        while index < total {
            let end = min(total, index + 200_000)
            var rows: [(Int, Int, [UInt8])] = []
            for leafIndex in index..<end {
                var node = MerkleTree.leafHash(withUnsafeBytes(of: UInt64(leafIndex).bigEndian) { Array($0) })
                rows.append((0, leafIndex, node))
                var level = 0, position = leafIndex
                while position & 1 == 1 {
                    node = MerkleTree.nodeHash(frontier[level]!, node)
                    level += 1
                    position >>= 1
                    rows.append((level, position, node))
                }
                while frontier.count <= level { frontier.append(nil) }
                frontier[level] = node
            }
            let batch = rows
            _ = try await big.database.write { db in
                for chunk in stride(from: 0, to: batch.count, by: 300).map({ batch[$0..<min($0 + 300, batch.count)] }) {
                    try db.execute(
                        "INSERT INTO transparency_node (level, idx, hash) VALUES " + Array(repeating: "(?, ?, ?)", count: chunk.count).joined(separator: ", "),
                        chunk.flatMap { [Int64($0.0), Int64($0.1), Data($0.2)] as [(any SQLValueConvertible)?] })
                }
            }
            index = end
        }
        let built = now() - start
        let fileSize = (try? FileManager.default.attributesOfItem(atPath: big.dataDirectory.databasePath)[.size] as? Int) ?? 0
        print(String(format: "stored a tree of %d entries in %.0f s (%.0f MiB database)", total, built, Double(fileSize) / 1_048_576))

        var inclusion: [Double] = [], consistency: [Double] = []
        var inclusionHashes = 0, consistencyHashes = 0
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<1000 {
            let size = Int.random(in: total / 2...total, using: &generator)
            let seq = Int64.random(in: 1...Int64(size), using: &generator)
            var t = now()
            let path = try await bigLog.inclusionProof(seq: seq, size: size)
            inclusion.append(now() - t)
            inclusionHashes = max(inclusionHashes, path.count)
            let from = Int.random(in: 1...size, using: &generator)
            t = now()
            let proof = try await bigLog.consistencyProof(from: from, to: size)
            consistency.append(now() - t)
            consistencyHashes = max(consistencyHashes, proof.count)
        }
        func describe(_ times: [Double]) -> String {
            let sorted = times.sorted()
            return String(format: "mean %.2f ms, p99 %.2f ms", sorted.reduce(0, +) / Double(sorted.count) * 1000, sorted[sorted.count * 99 / 100] * 1000)
        }
        print("inclusion proof at \(total) entries: \(describe(inclusion)), at most \(inclusionHashes) hashes (\(inclusionHashes * 32) bytes)")
        print("consistency proof at \(total) entries: \(describe(consistency)), at most \(consistencyHashes) hashes (\(consistencyHashes * 32) bytes)")
        withExtendedLifetime((installation, big)) {}
    }
}
