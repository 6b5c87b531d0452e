/// The outcome of one decision: principal × purpose × customer × fields.
public struct AccessDecision: Sendable, Equatable {
    public var customerID: String
    public var purpose: String
    public var policyVersion: String
    /// Set when the customer's state stops the purpose altogether; then every field is withheld.
    public var customerReason: ReasonCode?
    public var fields: [FieldDecision]

    public init(customerID: String, purpose: String, policyVersion: String, customerReason: ReasonCode?, fields: [FieldDecision]) {
        self.customerID = customerID
        self.purpose = purpose
        self.policyVersion = policyVersion
        self.customerReason = customerReason
        self.fields = fields
    }

    public func treatment(of field: PolicyField) -> FieldDecision.Treatment {
        fields.first { $0.field == field }?.treatment ?? .withheld
    }

    /// The fields that leave plain or masked.
    public var disclosed: [FieldDecision] { fields.filter { $0.treatment != .withheld } }
    public var withheld: [FieldDecision] { fields.filter { $0.treatment == .withheld } }

    public var outcome: Outcome {
        if disclosed.isEmpty { return .denied }
        return withheld.isEmpty ? .permitted : .partial
    }

    /// Distinct reason codes, sorted, for the audit entry.
    public var reasonCodes: [ReasonCode] {
        Array(Set(fields.map(\.reason) + [customerReason].compactMap { $0 })).sorted()
    }

    public enum Outcome: String, Sendable, Codable {
        case permitted, partial, denied
    }
}

/// What happens to one field in one decision, and why.
public struct FieldDecision: Sendable, Equatable {
    public var field: PolicyField
    public var category: String
    public var treatment: Treatment
    public var reason: ReasonCode

    public enum Treatment: String, Sendable, Codable {
        case plain, masked, withheld
    }

    public init(field: PolicyField, category: String, treatment: Treatment, reason: ReasonCode) {
        self.field = field
        self.category = category
        self.treatment = treatment
        self.reason = reason
    }
}
