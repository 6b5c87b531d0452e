import ArgumentParser
import ConsentryCommands
import ConsentryCore
import ConsentryStore
import ConsentryTesting
import Foundation
import ConsentryStorage
import Testing
import ConsentryRecords

/// `consentry policy`, `modules key` and `audit verify`, run in-process as the executable parses them.
@Suite("policy, modules and audit commands")
struct PolicyCommandTests {
    func run(_ arguments: [String]) async throws {
        var command = try ConsentryCommand.parseAsRoot(arguments) as! any AsyncParsableCommand
        try await command.run()
    }

    var policies: [String] { ["--policies", RepositoryFixtures.policiesDirectory] }

    @Test("policy check accepts the shipped policy and fails with exit 65 on a broken one")
    func check() async throws {
        try await run(["policy", "check"] + policies)
        let directory = try TemporaryDirectory()
        try "categories: {user.name: Names}\nfields: {}\npurposes: {}\nmodules: {x: {applicationType: X, purposes: [nothing], operations: {}}}\n"
            .write(toFile: directory.file("broken.yaml"), atomically: true, encoding: .utf8)
        await #expect(throws: ExitCode(65)) { try await run(["policy", "check", "--policies", directory.path]) }
    }

    @Test("policy explain refuses a purpose the module lacks, and explains a stored customer's state")
    func explain() async throws {
        let directory = try TemporaryDirectory()
        let data = directory.file("data")
        try await run(["init", "--data-dir", data])
        try await run(["policy", "explain", "--module", "csr-toolbox", "--purpose", "customer-care"] + policies)
        await #expect(throws: ExitCode(1)) {
            try await run(["policy", "explain", "--module", "csr-toolbox", "--purpose", "direct-marketing"] + policies)
        }
        let (database, keys) = try await DataDirectory(path: data).open()
        let customer = try await EncryptedCustomerStore(database: database, keys: keys).create(SyntheticCustomers().draft(2))
        try await run(["policy", "explain", "--module", "customer-loyalty-management", "--purpose", "loyalty", "--customer", customer.id,
                       "--data-dir", data, "--fields", "contactMedium.email"] + policies)
        await #expect(throws: (any Error).self) {
            try await run(["policy", "explain", "--module", "csr-toolbox", "--purpose", "customer-care", "--fields", "shoeSize"] + policies)
        }
    }

    @Test("module keys: create for a known module only, list, revoke; each an operator event")
    func moduleKeys() async throws {
        let directory = try TemporaryDirectory()
        let data = directory.file("data")
        try await run(["init", "--data-dir", data])
        try await run(["modules", "key", "create", "case-management", "--label", "ops", "--output", directory.file("case.key"), "--data-dir", data] + policies)
        let token = try String(contentsOfFile: directory.file("case.key"), encoding: .utf8).trimmingCharacters(in: .newlines)
        let permissions = try FileManager.default.attributesOfItem(atPath: directory.file("case.key"))[.posixPermissions] as? Int
        #expect(permissions.map { $0 & 0o777 } == 0o600)
        await #expect(throws: (any Error).self) { try await run(["modules", "key", "create", "no-such-module", "--data-dir", data] + policies) }
        let (database, _) = try await DataDirectory(path: data).open()
        let keys = try await ApiKeyStore(database: database).list()
        #expect(keys.map(\.principal) == [Principal(kind: .module, id: "case-management")])
        #expect(try await ApiKeyStore(database: database).authenticate(token) == Principal(kind: .module, id: "case-management"))
        try await run(["modules", "key", "revoke", keys[0].id, "--data-dir", data])
        #expect(try await ApiKeyStore(database: database).list().first?.revokedAt != nil)
        #expect(try await database.operatorEvents().map(\.action).filter { $0.hasPrefix("api_key") } == ["api_key.revoke", "api_key.create"])
        try await run(["operators", "key", "create", "alice", "--output", directory.file("alice.key"), "--data-dir", data])
        #expect(try await ApiKeyStore(database: database).list(kind: .operator).count == 1)
    }

    @Test("audit verify passes on an intact trail and exits 1 on an edited one")
    func auditVerify() async throws {
        let directory = try TemporaryDirectory()
        let data = directory.file("data")
        try await run(["init", "--data-dir", data])
        let (database, keys) = try await DataDirectory(path: data).open()
        let log = AuditLog(database: database, keys: keys)
        for n in 0..<5 { try await log.record(AuditEvent(actor: AuditActor(.system, "test"), action: AuditAction(rawValue: "test.\(n)"), outcome: "succeeded")) }
        try await run(["audit", "verify", "--data-dir", data])
        try await database.write { db in try db.execute("UPDATE audit_entry SET action = 'test.x' WHERE seq = 3") }
        await #expect(throws: ExitCode(1)) { try await run(["audit", "verify", "--data-dir", data]) }
    }

    @Test("consents import: legacy history with line-numbered rejects, state by time whatever the order, idempotent")
    func consentsImport() async throws {
        let directory = try TemporaryDirectory()
        let data = directory.file("data")
        try await run(["init", "--data-dir", data])
        try await run(["import", RepositoryFixtures.path("customers.jsonl"), "--data-dir", data])
        // The same events in reverse order: the state must follow time, not file order.
        let lines = try String(contentsOfFile: RepositoryFixtures.path("consents-legacy.jsonl"), encoding: .utf8).split(separator: "\n")
        let file = directory.file("consents.jsonl")
        try lines.reversed().joined(separator: "\n").write(toFile: file, atomically: true, encoding: .utf8)
        await #expect(throws: ExitCode(2)) { try await run(["consents", "import", file, "--data-dir", data] + policies) }
        let rejects = try String(contentsOfFile: file + ".rejects.jsonl", encoding: .utf8).split(separator: "\n")
        let codes = rejects.map { line -> String in
            let entry = try! JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            let issues = entry["issues"] as! [[String: Any]]
            return "\(entry["line"]!):\(issues.map { $0["code"] as! String }.joined(separator: "+"))"
        }
        // Reversed: original lines 10, 9, 8, 7 are now lines 1, 2, 3, 4.
        #expect(Set(codes) == ["1:invalid_timestamp", "2:unknown_purpose", "4:not_consent_based", "3:unknown_customer"])
        let (database, _) = try await DataDirectory(path: data).open()
        let ledger = ConsentLedger(database: database)
        let id = try await database.read { db in try db.fetchValue(String.self, "SELECT id FROM customer WHERE external_id = 'LEG-0000001'")! }
        let state = try #require(try await ledger.privacyState(customerID: id)).state
        #expect(state.consents["direct-marketing"]?.status == .withdrawn)
        let restricted = try await database.read { db in
            try db.fetchValue(String.self, "SELECT external_id FROM customer JOIN processing_restriction ON customer_id = id")
        }
        #expect(restricted == "LEG-0000005")
        let before = try await ledger.history(customerID: id).count
        await #expect(throws: ExitCode(2)) { try await run(["consents", "import", file, "--data-dir", data] + policies) }
        #expect(try await ledger.history(customerID: id).count == before)
        #expect(try await ledger.history(customerID: id).last?.actorID == "agent-0007")
    }

    @Test("consents import refuses an event dated in the future, which would outrank every real change until then")
    func futureConsentRefused() async throws {
        let directory = try TemporaryDirectory()
        let data = directory.file("data")
        try await run(["init", "--data-dir", data])
        try await run(["import", RepositoryFixtures.path("customers.jsonl"), "--data-dir", data])
        let formatter = ISO8601DateFormatter()
        let future = formatter.string(from: Date(timeIntervalSinceNow: 30 * 86_400))
        let yesterday = formatter.string(from: Date(timeIntervalSinceNow: -86_400))
        let file = directory.file("future.jsonl")
        try """
            {"externalId":"LEG-0000002","purpose":"direct-marketing","kind":"given","occurredAt":"\(future)","channel":"web"}
            {"externalId":"LEG-0000002","purpose":"direct-marketing","kind":"withdrawn","occurredAt":"\(yesterday)","channel":"web"}
            """.write(toFile: file, atomically: true, encoding: .utf8)
        await #expect(throws: ExitCode(2)) { try await run(["consents", "import", file, "--data-dir", data] + policies) }
        let rejects = try String(contentsOfFile: file + ".rejects.jsonl", encoding: .utf8)
        #expect(rejects.contains(#""code":"in_future""#) && rejects.contains(#""line":1"#))
        let (database, _) = try await DataDirectory(path: data).open()
        let id = try await database.read { db in try db.fetchValue(String.self, "SELECT id FROM customer WHERE external_id = 'LEG-0000002'")! }
        let state = try #require(try await ConsentLedger(database: database).privacyState(customerID: id)).state
        #expect(state.consents["direct-marketing"]?.status == .withdrawn, "the real withdrawal decides")
    }

    @Test("consents import is audited and announced, refuses a minor's own consent, and an old event never undoes a newer one (#11 finding 8)")
    func consentsImportLikeLiveChanges() async throws {
        let directory = try TemporaryDirectory()
        let data = directory.file("data")
        try await run(["init", "--data-dir", data])
        let people = (0..<50).map { SyntheticCustomers().draft($0) }.filter { $0.profile.engagedParty.type == .individual }
        func person(_ index: Int, externalId: String, born: String) throws -> String {
            var draft = people[index]
            draft.externalId = externalId
            if case .individual(var p) = draft.profile.engagedParty { p.birthDate = born; draft.profile.engagedParty = .individual(p) }
            draft.profile.relatedParty = []
            return String(decoding: try SyntheticCustomers.jsonLine(draft), as: UTF8.self)
        }
        let customers = directory.file("customers.jsonl")
        try [try person(1, externalId: "ADULT", born: "1980-04-01"), try person(2, externalId: "MINOR", born: "2015-04-01")]
            .joined(separator: "\n").write(toFile: customers, atomically: true, encoding: .utf8)
        try await run(["import", customers, "--data-dir", data])
        let f = ISO8601DateFormatter()
        func ago(_ days: Double) -> String { f.string(from: Date(timeIntervalSinceNow: -days * 86_400)) }
        let file = directory.file("events.jsonl")
        try """
            {"externalId":"MINOR","purpose":"loyalty","kind":"given","occurredAt":"\(ago(3))","channel":"web"}
            {"externalId":"MINOR","purpose":"loyalty","kind":"given","occurredAt":"\(ago(3))","channel":"retail","expressedBy":"guardian"}
            {"externalId":"ADULT","purpose":"fraud-prevention","kind":"objection","occurredAt":"\(ago(1))","channel":"web"}
            {"externalId":"ADULT","purpose":"fraud-prevention","kind":"objection_withdrawn","occurredAt":"\(ago(10))","channel":"web"}
            {"externalId":"ADULT","kind":"restriction","occurredAt":"\(ago(1))","channel":"web"}
            {"externalId":"ADULT","kind":"restriction_lifted","occurredAt":"\(ago(5))","channel":"web"}
            """.write(toFile: file, atomically: true, encoding: .utf8)
        await #expect(throws: ExitCode(2)) { try await run(["consents", "import", file, "--data-dir", data] + policies) }
        let rejects = try String(contentsOfFile: file + ".rejects.jsonl", encoding: .utf8)
        #expect(rejects.contains(#""line":1"#) && rejects.contains("guardian_required") && !rejects.contains(#""line":2"#), "\(rejects)")

        let (database, keys) = try await DataDirectory(path: data).open()
        let adult = try await database.read { db in try db.fetchValue(String.self, "SELECT id FROM customer WHERE external_id = 'ADULT'")! }
        let state = try #require(try await ConsentLedger(database: database).privacyState(customerID: adult)).state
        #expect(state.objections.contains("fraud-prevention"), "the older withdrawal of the objection does not undo the newer objection")
        #expect(state.restricted, "the older lifting does not undo the newer restriction")
        let (audited, announced) = try await database.read { db in
            (try db.fetchValue(Int.self, "SELECT COUNT(*) FROM audit_entry WHERE action = 'consent.imported'")!,
             try db.fetchColumn(String.self, "SELECT type FROM event_outbox ORDER BY seq"))
        }
        #expect(audited == 5)
        // Announced: the guardian's consent, the objection and the restriction; not the two older events.
        #expect(announced.count == 3, "\(announced)")
        #expect(try await AuditVerifier(database: database, keys: keys).verify().isIntact)
    }
}
