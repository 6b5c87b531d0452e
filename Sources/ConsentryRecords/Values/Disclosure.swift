public import ConsentryCore

/// One customer as a decision lets it out.
public struct Disclosure: Sendable {
    public var customer: DisclosedCustomer
    public var decision: AccessDecision
    /// The consent, objection and restriction state the decision was made on.
    public var state: CustomerPrivacyState

    public init(customer: DisclosedCustomer, decision: AccessDecision, state: CustomerPrivacyState) {
        self.customer = customer
        self.decision = decision
        self.state = state
    }
}

/// The policy's decision for one customer, made by the caller and applied by the store while
/// it reads: only what the decision lets out is decrypted.
public typealias AccessDecider = @Sendable (CustomerPrivacyState, PartyType) -> AccessDecision
