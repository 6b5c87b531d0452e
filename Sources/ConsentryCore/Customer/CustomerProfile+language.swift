extension CustomerProfile {
    /// The party's preferred language, for customer-facing texts.
    public var preferredLanguage: String? {
        switch engagedParty {
        case .individual(let person): person.preferredLanguage
        case .organization(let organization): organization.preferredLanguage
        }
    }
}
