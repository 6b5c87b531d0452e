extension BlindIndexField {
    /// The policy field a search by this index reveals.
    public var policyField: PolicyField {
        switch self {
        case .email: .email
        case .phone: .phone
        case .nationalId: .individualIdentification
        case .loginSubject: .loginSubject
        case .guardian: .relatedParty
        }
    }
}
