import ConsentryCore
import Foundation

/// One case of a DPO's policy test (`Policies/tests/*.yaml`): a module asks for a purpose
/// about a customer in some state; the case says what the policy must answer.
public struct PolicyTestCase: Sendable {
    public var file: String
    public var line: Int
    public var name: String
    public var module: String
    public var purpose: String
    public var operation: ModuleOperation
    public var customer: CustomerState
    /// `nil`: every field.
    public var fields: [PolicyField]?
    public var expect: Expectation

    /// The customer's state, as a DPO describes it.
    public struct CustomerState: Sendable {
        public var jurisdiction: String?
        public var region: String?
        public var age: Int?
        public var consents: [String: String] = [:]
        public var objections: [String] = []
        public var optOuts: [OptOutRight] = []
        public var restricted = false
        /// How long ago the relationship ended, if it did.
        public var relationshipEnded: ISODuration?
        public var customerFor: ISODuration?
        public var erased = false
    }

    public struct Expectation: Sendable {
        public var outcome: AccessDecision.Outcome?
        /// The exact set of reason codes.
        public var reasons: [ReasonCode]?
        public var fields: [PolicyField: FieldDecision.Treatment] = [:]
        /// Who must give consent for the purpose at the customer's age: `customer`, `guardian`
        /// or `not_required`.
        public var consentFrom: String?
        /// The customer's jurisdiction: its rights, each as `P1M +P2M`, `P15D` or `not granted`.
        public var jurisdiction: String?
        public var rights: [DataSubjectRequest.RequestType: String] = [:]
    }

    /// `file:line`, as failures and editors show it.
    public var location: String { "\(file):\(line)" }
}
