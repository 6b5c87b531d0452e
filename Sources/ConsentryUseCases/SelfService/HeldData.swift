public import ConsentryCore

/// What is held about a customer, by data category, and the purposes that use each category:
/// the privacy dashboard's first answer, for the JSON API and the privacy center alike.
public struct HeldData: Sendable {
    public struct Category: Sendable {
        public var category: String
        public var description: String
        /// The stored values of the category, by field (the customer's own data, decrypted).
        public var values: [(field: PolicyField, path: String, value: String)]
        /// The fields of the category that hold a value.
        public var fields: [PolicyField] { Array(Set(values.map(\.field))).sorted() }
        /// The purposes of the policy that use the category, by id.
        public var purposes: [Purpose]
    }

    public var categories: [Category]

    /// The categories with at least one stored value, by name.
    public init(of customer: Customer, policy: Policy) {
        var byCategory: [String: [(field: PolicyField, path: String, value: String)]] = [:]
        for stored in PersonalFieldCodec.encode(customer.profile) {
            guard let field = PolicyField.of(storedPath: stored.path, in: customer.profile) else { continue }
            byCategory[policy.category(of: field), default: []].append((field, stored.path.rawValue, String(decoding: stored.value, as: UTF8.self)))
        }
        categories = byCategory.keys.sorted().map { category in
            Category(
                category: category, description: policy.categories[category]?.description ?? "", values: byCategory[category]!,
                purposes: policy.purposes.values.filter { $0.categories[category] != nil }.sorted { $0.id < $1.id })
        }
    }
}
