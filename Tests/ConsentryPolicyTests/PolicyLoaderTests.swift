import ConsentryCore
import ConsentryPolicy
import ConsentryTesting
import Foundation
import Testing

@Suite("Policy loader")
struct PolicyLoaderTests {
    /// The TAM application types of DESIGN.md, each of which needs a module profile.
    static let tamApplicationTypes: Set<String> = [
        "Bill Calculation", "Bill Format/Render", "Billing Account Management", "Billing Events Management",
        "Billing Inquiry/Dispute/Adjustment", "Charge Calculation and Balance Management", "Collection Management",
        "Receivables Management", "Transactional Document Production", "Case Management", "Customer & Network Care",
        "CSR Toolbox", "Customer Problem Management", "Customer SLA Management", "Customer Order Management",
        "Customer Insight Management", "Customer Loyalty Management",
    ]

    @Test("the shipped policy loads, maps every field and covers every TAM application type")
    func shippedPolicy() throws {
        let policy = try PolicyLoader.load(directory: RepositoryFixtures.policiesDirectory)
        #expect(Set(policy.modules.values.map(\.applicationType)).isSuperset(of: Self.tamApplicationTypes))
        #expect(Set(policy.fieldCategories.keys) == Set(PolicyField.allCases))
        #expect(policy.version.hasPrefix("sha256:") && policy.version.count == 23)
        for purpose in policy.purposes.values {
            #expect(purpose.name.texts.count >= 2 && purpose.name.texts["en"] != nil, "\(purpose.id)")
            #expect((purpose.legalBasis == .consent) == (purpose.consent != nil), "\(purpose.id)")
        }
        // Every legal basis a telecom needs appears, and marketing rests on consent.
        #expect(Set(policy.purposes.values.map(\.legalBasis)).isSuperset(of: [.consent, .contract, .legalObligation, .legitimateInterest]))
        #expect(policy.purposes["direct-marketing"]?.legalBasis == .consent)
        #expect(policy.ageOfMajority == 18)
    }

    @Test("the version is a content hash: same files, same version; one byte changed, another")
    func versionIsContentHash() throws {
        let sources = try shippedSources()
        let again = try shippedSources()
        #expect(PolicyLoader.version(of: sources) == PolicyLoader.version(of: again))
        var changed = sources
        changed[0].text += "\n# a comment\n"
        #expect(PolicyLoader.version(of: changed) != PolicyLoader.version(of: sources))
    }

    @Test("problems come with file, line and column", arguments: [
        // (file to edit, text to find, replacement, expected file:line:column prefix, words in the message)
        Case("modules.yaml", "    operations: {read: true}\n\n  bill-format-render:",
             "    operations: {read: true}\n    purpose: billing\n\n  bill-format-render:", "unknown key \"purpose\""),
        Case("modules.yaml", "  bill-format-render:\n    applicationType: Bill Format/Render\n    description: Lays out bills for print and PDF.\n    purposes: [billing, document-production]\n    callbackHosts: [",
             "  bill-format-render:\n    applicationType: Bill Format/Render\n    description: Lays out bills for print and PDF.\n    purposes: [billing, document-production]\n    callbackHosts: [\"http://x/\", ", "is not a host name"),
        Case("modules.yaml", "purposes: [billing, document-production]", "purposes: [billing, documents]", "names purpose \"documents\""),
        Case("purposes.yaml", "retention: {period: P2Y, from: relationship_end}", "retention: {period: 2 years, from: relationship_end}", "not an ISO 8601 duration"),
        Case("purposes.yaml", "legalBasis: contract", "legalBasis: because", "expected one of consent"),
        Case("modules.yaml", "  bill-format-render:", "  bill-calculation:", "duplicate key \"bill-calculation\""),
        Case("categories.yaml", "  loginSubject: user.account.username\n", "", "missing: loginSubject"),
        Case("purposes.yaml", "      user.workplace: plain\n      user.custom: plain", "      user.workplace: plain\n      user.hobbies: plain", "grants category \"user.hobbies\""),
        Case("purposes.yaml", "consent: {expiresAfter: P2Y, guardianRequiredUnderAge: 16}", "consent: {expiresAfter: P2Y, guardianRequiredUnderAge: 9}", "from 13 to 18"),
        Case("modules.yaml", "modules:\n", "modules:\n  bad: [\n", "YAML:"),
        Case("purposes.yaml", "  ageOfMajority: 18", "  ageOfMajority: eighteen", "ageOfMajority must be a whole number"),
        Case("purposes.yaml", "  ageOfMajority: 18", "  ageOfMajority: 15", "needs a guardian under 16, above the age of majority 15"),
    ])
    func problems(_ edit: Case) throws {
        var sources = try shippedSources()
        let index = try #require(sources.firstIndex { $0.name == edit.file })
        let original = sources[index].text
        #expect(original.contains(edit.find), "fixture text not found: \(edit.find)")
        sources[index].text = original.replacingOccurrences(of: edit.find, with: edit.replacement)
        if edit.message.isEmpty {
            _ = try PolicyLoader.load(sources)  // a no-op edit still loads
            return
        }
        let error = try #require(throws: PolicyError.self) { try PolicyLoader.load(sources) }
        let problem = try #require(error.problems.first { $0.message.contains(edit.message) }, "\(error)")
        #expect(problem.file == edit.file)
        // The line the problem points at holds the offending text.
        let lines = sources[index].text.components(separatedBy: "\n")
        #expect(problem.line >= 1 && problem.line <= lines.count, "\(problem)")
        #expect(problem.column >= 1, "\(problem)")
    }

    @Test("an unknown key is reported at its exact line and column")
    func exactPosition() throws {
        var sources = try shippedSources()
        let index = sources.firstIndex { $0.name == "modules.yaml" }!
        sources[index].text = sources[index].text.replacingOccurrences(
            of: "    applicationType: Bill Calculation\n", with: "    applicationType: Bill Calculation\n    colour: blue\n")
        let lineNumber = sources[index].text.components(separatedBy: "\n").firstIndex { $0 == "    colour: blue" }! + 1
        let error = try #require(throws: PolicyError.self) { try PolicyLoader.load(sources) }
        #expect(error.problems.map(\.description) == ["modules.yaml:\(lineNumber):5: unknown key \"colour\" in module bill-calculation; allowed: applicationType, callbackHosts, description, operations, purposes"])
    }

    @Test("every problem of several broken files in one pass, and none invented by an earlier one")
    func everyProblemAtOnce() throws {
        var files = Dictionary(uniqueKeysWithValues: try shippedSources().map { ($0.name, $0.text) })
        func edit(_ file: String, _ find: String, _ replacement: String) throws -> Int {
            let text = try #require(files[file])
            let range = try #require(text.range(of: find), "fixture text not found: \(find)")
            files[file] = text.replacingCharacters(in: range, with: replacement)
            // 1-based line of the first changed line
            return text[..<range.lowerBound].filter { $0 == "\n" }.count + 1
        }
        // One purpose with a bad legal basis AND a mistyped category; a module naming that
        // purpose (no follow-on "not defined"), a module with an unknown key and a mistyped purpose.
        let basisLine = try edit("purposes.yaml", "    legalBasis: contract\n", "    legalBasis: contrcat\n")
        let categoryLine = try edit("purposes.yaml", "      user.custom: plain\n", "      user.custm: plain\n")
        let keyLine = try edit("modules.yaml", "    operations: {read: true}\n\n  bill-format-render:", "    colour: blue\n    operations: {read: true}\n\n  bill-format-render:")
        let purposeLine = try edit("modules.yaml", "purposes: [billing, document-production]", "purposes: [billing, documents]")
        let sources = files.map { PolicyLoader.Source(name: $0.key, text: $0.value) }
        let error = try #require(throws: PolicyError.self) { try PolicyLoader.load(sources) }
        #expect(error.problems.map { "\($0.file):\($0.line): \($0.message)" } == [
            "modules.yaml:\(keyLine): unknown key \"colour\" in module bill-calculation; allowed: applicationType, callbackHosts, description, operations, purposes",
            "modules.yaml:\(purposeLine): module bill-format-render names purpose \"documents\", which is not defined under purposes",
            "purposes.yaml:\(basisLine): legalBasis of purpose service-provision is \"contrcat\"; expected one of \(LegalBasis.allCases.map(\.rawValue).joined(separator: ", "))",
            "purposes.yaml:\(categoryLine): purpose service-provision grants category \"user.custm\", which is not defined under categories",
        ])

        // A file that is not YAML (a tab) is one problem; the sections it would define are not
        // reported missing, and what the other files get wrong is still found.
        var broken = try shippedSources()
        let modules = broken.firstIndex { $0.name == "modules.yaml" }!
        broken[modules].text = broken[modules].text.replacingOccurrences(of: "  bill-calculation:\n    applicationType", with: "  bill-calculation:\n\tapplicationType")
        let purposes = broken.firstIndex { $0.name == "purposes.yaml" }!
        broken[purposes].text = broken[purposes].text.replacingOccurrences(of: "retention: {period: P2Y, from: relationship_end}", with: "retention: {period: 2 years, from: relationship_end}")
        let second = try #require(throws: PolicyError.self) { try PolicyLoader.load(broken) }
        #expect(second.problems.map(\.file) == ["modules.yaml", "purposes.yaml"] + Array(repeating: "purposes.yaml", count: second.problems.count - 2))
        #expect(second.problems.first?.message.hasPrefix("YAML:") == true, "\(second)")
        #expect(second.problems.dropFirst().allSatisfy { $0.message.contains("is not an ISO 8601 duration") }, "\(second)")
        #expect(!second.description.contains("no file defines"), "\(second)")
    }

    @Test("a bad reload keeps the last good policy and says why")
    func badReloadKeepsLastGood() throws {
        let directory = try TemporaryDirectory()
        for name in ["categories.yaml", "purposes.yaml", "modules.yaml"] {
            try FileManager.default.copyItem(atPath: RepositoryFixtures.policiesDirectory + "/" + name, toPath: directory.path + "/" + name)
        }
        let registry = try PolicyRegistry(directory: directory.path)
        let good = registry.policy.version
        try "modules:\n  broken: {purposes: [nothing]}\n".write(toFile: directory.path + "/modules.yaml", atomically: true, encoding: .utf8)
        guard case .failure(let error) = registry.reload() else { Issue.record("reload should fail"); return }
        #expect(error.description.contains("modules.yaml:2:"))
        #expect(registry.policy.version == good)
        #expect(registry.lastError != nil)
        try FileManager.default.removeItem(atPath: directory.path + "/modules.yaml")
        try FileManager.default.copyItem(atPath: RepositoryFixtures.policiesDirectory + "/modules.yaml", toPath: directory.path + "/modules.yaml")
        guard case .success = registry.reload() else { Issue.record("reload should succeed"); return }
        #expect(registry.lastError == nil)
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var file, find, replacement, message: String
        init(_ file: String, _ find: String, _ replacement: String, _ message: String) {
            self.file = file
            self.find = find
            self.replacement = replacement
            self.message = message
        }
        var testDescription: String { message.isEmpty ? "no-op edit of \(file)" : "\(file): \(message)" }
    }

    func shippedSources() throws -> [PolicyLoader.Source] {
        try ["categories.yaml", "modules.yaml", "purposes.yaml"].map { name in
            PolicyLoader.Source(name: name, text: try String(contentsOfFile: RepositoryFixtures.policiesDirectory + "/" + name, encoding: .utf8))
        }
    }
}
