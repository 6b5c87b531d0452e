import Foundation

/// What an erasure keeps and what it destroys (GDPR Art. 17(3)(b)): a field stays only while
/// a purpose resting on a legal obligation still needs its category, until that purpose's
/// retention ends; everything else goes.
public struct ErasurePlan: Sendable, Equatable {
    /// A field kept under a legal hold.
    public struct Hold: Sendable, Equatable {
        public var field: PolicyField
        public var category: String
        /// The legal-obligation purposes that need it.
        public var purposes: [String]
        /// When the last of those purposes' retention ends.
        public var until: Date
    }

    public var customerID: String
    public var held: [Hold]
    public var erased: [PolicyField]

    /// - Parameters:
    ///   - fields: the fields the customer has values for.
    ///   - state: the customer's relationship dates; an ongoing relationship ends with the erasure.
    public init(customerID: String, fields: [PolicyField], state: CustomerPrivacyState, policy: Policy, now: Date) {
        var holds: [PolicyField: Hold] = [:]
        for purpose in policy.purposes.values.sorted(by: { $0.id < $1.id }) where purpose.legalBasis == .legalObligation {
            let start: Date = switch purpose.retention.from {
            case .relationshipEnd: state.relationshipEndedAt ?? now
            case .collection: state.createdAt
            }
            let until = purpose.retention.period.added(to: start)
            guard until > now else { continue }
            for field in fields {
                let category = policy.category(of: field)
                guard purpose.categories[category] != nil else { continue }
                var hold = holds[field] ?? Hold(field: field, category: category, purposes: [], until: until)
                hold.purposes.append(purpose.id)
                hold.until = max(hold.until, until)
                holds[field] = hold
            }
        }
        self.customerID = customerID
        self.held = holds.values.sorted { $0.field < $1.field }
        self.erased = fields.filter { holds[$0] == nil }.sorted()
    }
}
