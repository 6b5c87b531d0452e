import ConsentryCore
import ConsentryPolicy
import ConsentryTesting
import Foundation

/// What jurisdictions cost a decision, and what the DPO's suite costs a reload: the shipped
/// policy deciding 15 fields for a GDPR customer, a Californian (opt-out purpose) and a
/// customer with no region, against the same policy without its jurisdictions (the
/// behaviour before); then `policy test` on the shipped suite.
enum JurisdictionBenchmark {
    static func run(seconds: Double) throws {
        let shipped = try PolicyLoader.load(directory: RepositoryFixtures.policiesDirectory)
        let bare = Policy(
            version: shipped.version, categories: shipped.categories, fieldCategories: shipped.fieldCategories, purposes: shipped.purposes,
            modules: shipped.modules, ageOfMajority: shipped.ageOfMajority, statusCategory: shipped.statusCategory, controller: shipped.controller)
        let fields = Array(PolicyField.allCases.prefix(15))
        let now = Date()
        func state(_ region: String?) -> CustomerPrivacyState {
            CustomerPrivacyState(
                customerID: "c", status: .active, createdAt: now - 86_400 * 400,
                consents: ["partner-advertising": ConsentState(status: .given, since: now - 86_400)], residence: Residence(region: region))
        }
        func rate(_ policy: Policy, _ customer: CustomerPrivacyState, purpose: String, module: String) throws -> Double {
            let engine = DecisionEngine(policy: policy)
            let grant = try engine.authorize(module: module, purpose: purpose, operation: .read)
            var n = 0
            var sink = 0
            let start = Date()
            while Date().timeIntervalSince(start) < seconds {
                for _ in 0..<1000 { sink &+= engine.decide(grant, customer: customer, fields: fields, now: now).fields.count }
                n += 1000
            }
            precondition(sink > 0)
            return Double(n) / Date().timeIntervalSince(start)
        }
        let cases: [(String, Policy, CustomerPrivacyState, String, String)] = [
            ("GDPR policy only (before), customer in DE, billing", bare, state("DE"), "billing", "bill-calculation"),
            ("shipped policy, customer in DE, billing", shipped, state("DE"), "billing", "bill-calculation"),
            ("shipped policy, customer with no region, billing", shipped, state(nil), "billing", "bill-calculation"),
            ("shipped policy, Californian, partner advertising (opt-out)", shipped, state("US-CA"), "partner-advertising", "customer-insight-management"),
            ("GDPR policy only (before), partner advertising (consent)", bare, state("DE"), "partner-advertising", "customer-insight-management"),
        ]
        for (label, policy, customer, purpose, module) in cases {
            let r = try rate(policy, customer, purpose: purpose, module: module)
            print(String(format: "decide 15 fields, %@: %.0f /s (%.2f µs each)", label, r, 1e6 / r))
        }
        let cases2 = try PolicyTestReader.load(directory: RepositoryFixtures.policiesDirectory + "/tests")
        let start = Date()
        var runs = 0
        while Date().timeIntervalSince(start) < seconds {
            _ = PolicyTestRunner(policy: shipped).run(cases2)
            runs += 1
        }
        let perRun = Date().timeIntervalSince(start) / Double(runs)
        print(String(format: "policy test, shipped suite (%d cases): %.2f ms per run", cases2.count, perRun * 1000))
        let loadStart = Date()
        for _ in 0..<20 { _ = try PolicyRegistry(directory: RepositoryFixtures.policiesDirectory, requireTests: true) }
        print(String(format: "policy load with the suite as a gate (serve --require-policy-tests): %.1f ms", Date().timeIntervalSince(loadStart) / 20 * 1000))
    }
}
