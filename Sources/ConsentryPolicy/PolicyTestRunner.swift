import ConsentryCore
import Foundation

/// Runs a DPO's policy tests against a policy: each case's customer becomes a privacy state,
/// the decision engine decides, and every expectation is compared with what it answered.
/// Pure: no store, no clock but `now`.
public struct PolicyTestRunner: Sendable {
    public let policy: Policy
    public let now: Date

    public init(policy: Policy, now: Date = Date()) {
        self.policy = policy
        self.now = now
    }

    public struct Result: Sendable {
        public var testCase: PolicyTestCase
        /// Each expected-against-actual difference; empty when the case passed.
        public var failures: [String]
        public var passed: Bool { failures.isEmpty }
    }

    /// What the cases exercised: the purposes and modules no case names.
    public struct Coverage: Sendable, Equatable {
        public var uncoveredPurposes: [String]
        public var uncoveredModules: [String]
        public var uncoveredJurisdictions: [String]
        public var complete: Bool { uncoveredPurposes.isEmpty && uncoveredModules.isEmpty && uncoveredJurisdictions.isEmpty }
    }

    public func run(_ cases: [PolicyTestCase]) -> [Result] {
        cases.map { Result(testCase: $0, failures: check($0)) }
    }

    public func coverage(of cases: [PolicyTestCase]) -> Coverage {
        let purposes = Set(cases.map(\.purpose))
        let modules = Set(cases.map(\.module))
        let jurisdictions = Set(cases.map { jurisdiction(of: $0.customer).id })
        return Coverage(
            uncoveredPurposes: policy.purposes.keys.filter { !purposes.contains($0) }.sorted(),
            uncoveredModules: policy.modules.keys.filter { !modules.contains($0) }.sorted(),
            uncoveredJurisdictions: policy.jurisdictions.keys.filter { !jurisdictions.contains($0) }.sorted())
    }

    /// Failures as policy problems (file:line), for a reload that refuses a failing policy.
    public static func problems(_ results: [Result]) -> [PolicyProblem] {
        results.filter { !$0.passed }.map { result in
            PolicyProblem(
                file: result.testCase.file, line: result.testCase.line, column: 0,
                message: "policy test \"\(result.testCase.name)\" fails: " + result.failures.joined(separator: "; "))
        }
    }

    func jurisdiction(of customer: PolicyTestCase.CustomerState) -> Jurisdiction {
        policy.jurisdiction(for: Residence(declared: customer.jurisdiction, region: customer.region))
    }

    func check(_ testCase: PolicyTestCase) -> [String] {
        var failures: [String] = []
        let customer = testCase.customer
        if let declared = customer.jurisdiction, policy.jurisdictions[declared] == nil {
            return ["the policy has no jurisdiction \"\(declared)\"; it has \(policy.jurisdictions.keys.sorted().joined(separator: ", "))"]
        }
        let jurisdiction = jurisdiction(of: customer)
        let engine = DecisionEngine(policy: policy)
        let state = privacyState(customer)
        let fields = testCase.fields ?? PolicyField.allCases
        let decision: AccessDecision
        do {
            let grant = try engine.authorize(module: testCase.module, purpose: testCase.purpose, operation: testCase.operation)
            decision = engine.decide(grant, customer: state, fields: fields, now: now)
        } catch {
            decision = AccessDecision(
                customerID: state.customerID, purpose: testCase.purpose, policyVersion: policy.version, customerReason: error.reason,
                fields: fields.map { FieldDecision(field: $0, category: policy.category(of: $0), treatment: .withheld, reason: error.reason) })
        }
        let expect = testCase.expect
        if let outcome = expect.outcome, decision.outcome != outcome {
            failures.append("outcome: expected \(outcome.rawValue), got \(decision.outcome.rawValue) (\(decision.reasonCodes.map(\.rawValue).joined(separator: ", ")))")
        }
        if let reasons = expect.reasons, Set(reasons) != Set(decision.reasonCodes) {
            failures.append("reasons: expected [\(reasons.map(\.rawValue).sorted().joined(separator: ", "))], got [\(decision.reasonCodes.map(\.rawValue).joined(separator: ", "))]")
        }
        for (field, treatment) in expect.fields.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            guard let actual = decision.fields.first(where: { $0.field == field }) else {
                failures.append("field \(field.rawValue): expected \(treatment.rawValue), but the case does not ask for it (add it to fields)")
                continue
            }
            if actual.treatment != treatment {
                failures.append("field \(field.rawValue): expected \(treatment.rawValue), got \(actual.treatment.rawValue) (\(actual.reason.rawValue))")
            }
        }
        if let expected = expect.consentFrom {
            let actual = consentFrom(purpose: testCase.purpose, age: customer.age, jurisdiction: jurisdiction)
            if actual != expected { failures.append("consentFrom: expected \(expected), got \(actual)") }
        }
        if let expected = expect.jurisdiction, expected != jurisdiction.id {
            failures.append("jurisdiction: expected \(expected), got \(jurisdiction.id)")
        }
        for (type, expected) in expect.rights.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            let actual = Self.describe(jurisdiction.rights[type])
            if actual != expected { failures.append("right \(type.rawValue): expected \(expected), got \(actual)") }
        }
        return failures
    }

    /// `P1M +P2M`, `P15D`, or `not granted`.
    public static func describe(_ deadline: Jurisdiction.Deadline?) -> String {
        guard let deadline else { return "not granted" }
        return deadline.period.description + (deadline.extensionLimit.map { " +\($0)" } ?? "")
    }

    func consentFrom(purpose id: String, age: Int?, jurisdiction: Jurisdiction) -> String {
        guard let purpose = policy.purposes[id], purpose.legalBasis == .consent, jurisdiction.optOut(covering: id) == nil,
            let threshold = jurisdiction.consentAge(for: purpose)
        else { return "not_required" }
        guard let age else { return "guardian" }
        return age < threshold ? "guardian" : "customer"
    }

    func privacyState(_ customer: PolicyTestCase.CustomerState) -> CustomerPrivacyState {
        var consents: [String: ConsentState] = [:]
        for (purpose, status) in customer.consents {
            switch status {
            case "expired": consents[purpose] = ConsentState(status: .given, since: now - 86_400 * 400, expiresAt: now - 86_400)
            default: consents[purpose] = ConsentState(status: ConsentStatus(rawValue: status) ?? .given, since: now - 86_400, noticeVersion: policy.purposes[purpose]?.noticeVersion)
            }
        }
        let ended = customer.relationshipEnded.map { $0.subtracted(from: now) }
        return CustomerPrivacyState(
            customerID: "policy-test", status: ended == nil ? .active : .closed,
            createdAt: customer.customerFor.map { $0.subtracted(from: now) } ?? now - 86_400 * 365, relationshipEndedAt: ended,
            consents: consents, objections: Set(customer.objections), restricted: customer.restricted,
            erasedAt: customer.erased ? now - 86_400 : nil, residence: Residence(declared: customer.jurisdiction, region: customer.region),
            optOuts: Set(customer.optOuts))
    }
}
