import ConsentryCore
import ConsentryCrypto
import ConsentryHTTP
import ConsentryStorage
import ConsentryStore
import ConsentryTesting
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@Suite("The customer-verifiable access log over HTTP, the verifiers and the witness", .serialized)
struct TransparencyTests {
    func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: RepositoryFixtures.path(".."))
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }

    func consentry(_ arguments: [String]) throws -> (status: Int32, output: String) { try run(RewrapKillTests.executable, arguments) }

    func python(_ arguments: [String]) throws -> (status: Int32, output: String) {
        try run("/usr/bin/env", ["python3", RepositoryFixtures.path("../scripts/transparency-verify.py")] + arguments)
    }

    @Test("a dashboard entry's proof verifies with Consentry's verifier and the independent Python one; an edited proof fails; another customer gets 404")
    func customerProofs() async throws {
        let fixture = try await GuardedAPIFixture.make(customerCount: 6)
        let (a, b) = (fixture.customers[0], fixture.customers[1])
        let minter = try await CustomerTokenVerifier.make(TestServices.identity)
        let tokenA = try await minter.mint(subject: a.profile.loginSubject!)
        let tokenB = try await minter.mint(subject: b.profile.loginSubject!)
        let directory = try TemporaryDirectory()
        try await fixture.withServer { client in
            for purpose in ["customer-care", "customer-care"] {
                _ = try await client.execute(uri: GuardedAPIFixture.api + "/customer/\(a.id)", method: .get, headers: fixture.headers("csr-toolbox", purpose: purpose))
            }
            let access = try await client.execute(uri: "/self/v1/me/dashboard/access", method: .get, headers: [.authorization: "Bearer \(tokenA)"])
            let entry = try #require(try access.json()[0])
            let proofPath = try #require(entry["proof"]?.stringValue)
            let proof = try await client.execute(uri: proofPath, method: .get, headers: [.authorization: "Bearer \(tokenA)"])
            #expect(proof.status == .ok)
            #expect(try await client.execute(uri: proofPath, method: .get, headers: [.authorization: "Bearer \(tokenB)"]).status == .notFound)
            #expect(try await client.execute(uri: proofPath, method: .get, headers: [:]).status == .unauthorized)
            let jwks = try await client.execute(uri: "/transparency/v1/jwks", method: .get, headers: [:])
            try Data(proof.text.utf8).write(to: URL(fileURLWithPath: directory.file("proof.json")))
            try Data(jwks.text.utf8).write(to: URL(fileURLWithPath: directory.file("jwks.json")))
            // The proof's siblings are hashes: nothing of customer B's entries is in it.
            #expect(!proof.text.contains(b.id))
        }
        let arguments = ["--jwks", directory.file("jwks.json"), "--proof", directory.file("proof.json")]
        let independent = try python(arguments)
        #expect(independent.status == 0 && independent.output.hasPrefix("verified: entry "), "\(independent.output)")
        let own = try consentry(["transparency", "verify"] + arguments)
        #expect(own.status == 0 && own.output.hasPrefix("verified: entry "), "\(own.output)")

        // An edited proof (the module named differently) fails both.
        let text = try String(contentsOfFile: directory.file("proof.json"), encoding: .utf8).replacingOccurrences(of: "csr-toolbox", with: "billing-account-management")
        try Data(text.utf8).write(to: URL(fileURLWithPath: directory.file("proof.json")))
        let refused = try python(arguments)
        #expect(refused.status == 1 && refused.output.hasPrefix("NOT verified"), "\(refused.output)")
        #expect(try consentry(["transparency", "verify"] + arguments).status == 1)
    }

    @Test("the witness follows the log, and reports a rollback (an old backup) and a rewritten history (a fork)")
    func witness() async throws {
        let fixture = try await GuardedAPIFixture.make(customerCount: 4)
        let directory = try TemporaryDirectory()
        let state = directory.file("witness.json")
        let database = fixture.installation.database
        try await fixture.withServer { client in
            let base = "http://localhost:\(client.port!)"
            let read = { @Sendable in
                _ = try await client.execute(
                    uri: GuardedAPIFixture.api + "/customer/\(fixture.customers[0].id)", method: .get, headers: fixture.headers("csr-toolbox", purpose: "customer-care"))
            }
            try await read()
            _ = try await fixture.services.transparency.head(covering: Int64(try await fixture.auditCount()))
            let first = try consentry(["transparency", "witness", "--url", base, "--state", state, "--once"])
            #expect(first.status == 0 && first.output.hasPrefix("witnessed: "), "\(first.output)")

            for _ in 0..<3 { try await read() }
            _ = try await fixture.services.transparency.head(covering: Int64(try await fixture.auditCount()))
            let second = try consentry(["transparency", "witness", "--url", base, "--state", state, "--once"])
            #expect(second.status == 0 && second.output.contains("consistent with"), "\(second.output)")

            // The consistency endpoint's proof verifies offline too.
            let latest = try #require(try await fixture.services.transparency.latestHead())
            let consistency = try await client.execute(uri: "/transparency/v1/consistency?from=1&to=\(latest.treeSize)", method: .get, headers: [:])
            #expect(consistency.status == .ok)
            let heads = try await client.execute(uri: "/transparency/v1/heads/\(latest.treeSize)", method: .get, headers: [:])
            let headAt = try heads.json()
            #expect(heads.status == .ok && headAt["treeSize"] == .number(String(latest.treeSize)))

            // A server restored from an old backup: its newest head is smaller than one already seen.
            _ = try await database.write { db in
                try db.execute("DELETE FROM transparency_head WHERE tree_size > (SELECT MIN(tree_size) FROM transparency_head)", [])
            }
            let rollback = try consentry(["transparency", "witness", "--url", base, "--state", state, "--once"])
            #expect(rollback.status == 2 && rollback.output.contains("ROLLBACK"), "\(rollback.output)")

            // A rewritten history: the operator edits an old entry and rebuilds the log with the
            // key; the new tree does not extend the one a witness saw.
            let fresh = directory.file("fresh.json")
            _ = try await fixture.services.transparency.head(covering: Int64(try await fixture.auditCount()))
            #expect(try consentry(["transparency", "witness", "--url", base, "--state", fresh, "--once"]).status == 0)
            _ = try await database.write { db in
                try db.execute("UPDATE audit_entry SET purpose = 'billing' WHERE seq = 1", [])
                try db.execute("DELETE FROM transparency_node", [])
                try db.execute("DELETE FROM transparency_head", [])
            }
            try await read()
            _ = try await fixture.services.transparency.head(covering: Int64(try await fixture.auditCount()))
            let fork = try consentry(["transparency", "witness", "--url", base, "--state", fresh, "--once"])
            #expect(fork.status == 2 && fork.output.contains("FORK"), "\(fork.output)")
        }
    }
}
