extension Party {
    /// The same kind of party with no personal values, as the "before" of a creation.
    public var emptied: Party {
        switch self {
        case .individual: .individual(Individual(givenName: "", familyName: ""))
        case .organization: .organization(Organization(name: ""))
        }
    }
}
