import ConsentryCore

extension AuditReader.Entry {
    /// The data categories a disclosure let out in the clear, and those it let out masked
    /// only, by name: what a customer reads in "who read my data".
    public func disclosedCategories(policy: Policy) -> (plain: [String], masked: [String]) {
        var plain = Set<String>()
        var masked = Set<String>()
        for item in fields {
            let parts = item.split(separator: ":", maxSplits: 1).map(String.init)
            guard let field = PolicyField(rawValue: parts[0]) else { continue }
            switch parts.count == 2 ? parts[1] : "plain" {
            case "plain": plain.insert(policy.category(of: field))
            case "masked": masked.insert(policy.category(of: field))
            default: break
            }
        }
        masked.subtract(plain)
        return (plain.sorted(), masked.sorted())
    }
}
