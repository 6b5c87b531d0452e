import Foundation

/// When a customer's data has outlived every purpose that may use it (storage limitation,
/// GDPR Art. 5(1)(e)): the relationship ended, and the retention of every purpose not resting
/// on a legal obligation is over. What legal obligations still need is then kept by the
/// erasure's holds; the rest goes.
public enum RetentionRule {
    public static func isDue(_ customer: CustomerPrivacyState, policy: Policy, now: Date) -> Bool {
        guard customer.erasedAt == nil, customer.relationshipEndedAt != nil else { return false }
        return policy.purposes.values.filter { $0.legalBasis != .legalObligation }
            .allSatisfy { DecisionEngine.isRetentionOver($0.retention, customer: customer, now: now) }
    }
}
