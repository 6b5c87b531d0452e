import ConsentryCore
import ConsentryPolicy
import ConsentryTesting
import Foundation
import Testing

@Suite("Policy tests a DPO writes")
struct PolicyTestRunnerTests {
    static var shippedTests: String { RepositoryFixtures.policiesDirectory + "/tests" }

    @Test("the shipped suite passes and has a case for every purpose, module and jurisdiction")
    func shippedSuite() throws {
        let policy = try PolicyLoader.load(directory: RepositoryFixtures.policiesDirectory)
        let cases = try PolicyTestReader.load(directory: Self.shippedTests)
        let runner = PolicyTestRunner(policy: policy)
        let failed = runner.run(cases).filter { !$0.passed }
        #expect(failed.isEmpty, "\(failed.map { "\($0.testCase.location): \($0.failures)" })")
        #expect(runner.coverage(of: cases).complete, "\(runner.coverage(of: cases))")
        #expect(cases.count >= 60)
        // Every jurisdiction's rights are pinned by a case.
        for id in policy.jurisdictions.keys {
            #expect(cases.contains { $0.expect.jurisdiction == id && !$0.expect.rights.isEmpty }, "no rights case for \(id)")
        }
    }

    @Test("a broken case fails with its file and line, expected against actual")
    func brokenCase() throws {
        let policy = try PolicyLoader.load(directory: RepositoryFixtures.policiesDirectory)
        let text = """
            cases:
              - name: passes
                module: bill-calculation
                purpose: billing
                fields: [contactMedium.phone]
                expect: {outcome: permitted, fields: {contactMedium.phone: masked}}

              - name: the phone is shown in full (it is not)
                module: bill-calculation
                purpose: billing
                fields: [contactMedium.phone]
                expect:
                  outcome: permitted
                  fields: {contactMedium.phone: plain}
                  reasons: [PERMITTED]
              - name: Californians get 30 days (they get 45)
                module: bill-calculation
                purpose: billing
                customer: {region: US-CA}
                expect: {rights: {access: P30D}, jurisdiction: us-ca-cpra}
            """
        let cases = try PolicyTestReader.read(text, file: "tests/mine.yaml")
        let results = PolicyTestRunner(policy: policy).run(cases)
        #expect(results.map(\.passed) == [true, false, false])
        #expect(results[1].testCase.location == "tests/mine.yaml:8")
        #expect(results[1].failures == [
            "reasons: expected [PERMITTED], got [MASKED_BY_POLICY]",
            "field contactMedium.phone: expected plain, got masked (MASKED_BY_POLICY)",
        ])
        #expect(results[2].testCase.location == "tests/mine.yaml:16")
        #expect(results[2].failures == ["right access: expected P30D, got P45D +P45D"])
        let problems = PolicyTestRunner.problems(results)
        #expect(problems.map(\.description) == [
            "tests/mine.yaml:8:0: policy test \"the phone is shown in full (it is not)\" fails: reasons: expected [PERMITTED], got [MASKED_BY_POLICY]; field contactMedium.phone: expected plain, got masked (MASKED_BY_POLICY)",
            "tests/mine.yaml:16:0: policy test \"Californians get 30 days (they get 45)\" fails: right access: expected P30D, got P45D +P45D",
        ])
    }

    @Test("a typo in a case is a problem at its line, never a case that tests nothing", arguments: [
        ("cases:\n  - {name: a, module: m, purpose: p, expect: {outcom: permitted}}", "tests/t.yaml:2:47: unknown key \"outcom\" in expect"),
        ("cases:\n  - {name: a, module: m, purpose: p, fields: [contactMedium.fax], expect: {}}", "tests/t.yaml:2:47: unknown field \"contactMedium.fax\""),
        ("cases:\n  - {name: a, module: m, purpose: p, expect: {reasons: [NOT_A_CODE]}}", "tests/t.yaml:2:57: unknown reason code \"NOT_A_CODE\""),
        ("cases:\n  - {name: a, module: m, expect: {}}", "tests/t.yaml:2:5: the case lacks \"purpose\""),
        ("cases:\n  - {name: a, module: m, purpose: p, customer: {optOuts: [do-not-call]}, expect: {}}", "tests/t.yaml:2:59: unknown opt-out \"do-not-call\""),
    ])
    func typos(text: String, problem: String) {
        #expect(throws: PolicyError.self) { try PolicyTestReader.read(text, file: "tests/t.yaml") }
        do { _ = try PolicyTestReader.read(text, file: "tests/t.yaml") } catch {
            #expect(error.problems.contains { $0.description.hasPrefix(problem) }, "\(error.problems)")
        }
    }

    @Test("a registry that requires the tests refuses a policy they fail, at start and on reload, and keeps the good one")
    func registryRefuses() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("policy-\(UUID().uuidString)").path
        try FileManager.default.copyItem(atPath: RepositoryFixtures.policiesDirectory, toPath: directory)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let registry = try PolicyRegistry(directory: directory, requireTests: true)
        let good = registry.policy.version
        // The compliance team widens billing to the full phone number; the suite says masked.
        let purposes = directory + "/purposes.yaml"
        let text = try String(contentsOfFile: purposes, encoding: .utf8)
        let widened = text.replacingOccurrences(of: "      user.contact.phone_number: masked\n      user.demographic.language: plain\n      user.workplace: plain\n    retention: {period: P2Y",
                                                with: "      user.contact.phone_number: plain\n      user.demographic.language: plain\n      user.workplace: plain\n    retention: {period: P2Y")
        #expect(widened != text)
        try widened.write(toFile: purposes, atomically: true, encoding: .utf8)
        guard case .failure(let error) = registry.reload() else {
            Issue.record("a policy failing its tests was accepted")
            return
        }
        #expect(error.problems.contains { $0.file == "tests/modules.yaml" && $0.line == 4 && $0.message.contains("field contactMedium.phone: expected masked, got plain") }, "\(error)")
        #expect(registry.policy.version == good, "the last good policy stays in force")
        #expect(throws: PolicyError.self) { try PolicyRegistry(directory: directory, requireTests: true) }
        #expect(try PolicyRegistry(directory: directory).policy.version != good, "without the flag the same policy loads")
    }
}
