/// A customer attribute as policy sees it: the unit the field map gives a data category,
/// and the unit a decision makes plain, masked or withheld.
///
/// Coarser than a stored field path (`contactMedium.3`, `engagedParty.individualIdentification.0`):
/// every email medium is `contactMedium.email`, every identification one field.
public enum PolicyField: String, Sendable, CaseIterable, Codable, Comparable {
    case title = "engagedParty.title"
    case givenName = "engagedParty.givenName"
    case middleName = "engagedParty.middleName"
    case familyName = "engagedParty.familyName"
    case organizationName = "engagedParty.name"
    case tradingName = "engagedParty.tradingName"
    case organizationType = "engagedParty.organizationType"
    case birthDate = "engagedParty.birthDate"
    case gender = "engagedParty.gender"
    case nationality = "engagedParty.nationality"
    case preferredLanguage = "engagedParty.preferredLanguage"
    case individualIdentification = "engagedParty.individualIdentification"
    case organizationIdentification = "engagedParty.organizationIdentification"
    case email = "contactMedium.email"
    case phone = "contactMedium.phone"
    case postalAddress = "contactMedium.postalAddress"
    case characteristic = "characteristic"
    case relatedParty = "relatedParty"
    case loginSubject = "loginSubject"

    public static func < (lhs: PolicyField, rhs: PolicyField) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The fields a party of `type` can have.
    public static func applicable(to type: PartyType) -> [PolicyField] {
        allCases.filter { field in
            switch field {
            case .title, .givenName, .middleName, .familyName, .birthDate, .gender, .nationality, .individualIdentification:
                type == .individual
            case .organizationName, .tradingName, .organizationType, .organizationIdentification:
                type == .organization
            default: true
            }
        }
    }

    /// The policy field of a stored field path, or `nil` for a contact medium, whose field
    /// depends on its medium type (known only once decrypted).
    public init?(storedPath path: StoredFieldPath) {
        if path.isItem(of: "contactMedium") { return nil }
        if let exact = PolicyField(rawValue: path.rawValue) { self = exact; return }
        for list in [PolicyField.individualIdentification, .organizationIdentification, .characteristic, .relatedParty]
        where path.isItem(of: list.rawValue) {
            self = list
            return
        }
        return nil
    }

    /// The policy field of a contact medium.
    public init(medium type: ContactMedium.MediumType) {
        switch type {
        case .email: self = .email
        case .phone, .mobile, .fax: self = .phone
        case .postalAddress: self = .postalAddress
        }
    }

    /// The top-level attribute of the customer resource this field lives under (`fields=`).
    public var topLevelAttribute: String {
        String(rawValue.split(separator: ".").first!)
    }
}

extension PolicyField {
    /// The policy field a stored field path of `profile` holds: contact media by their type.
    public static func of(storedPath path: StoredFieldPath, in profile: CustomerProfile) -> PolicyField? {
        PolicyField(storedPath: path)
            ?? profile.contactMedium.first { StoredFieldPath(item: $0.id ?? "", of: "contactMedium") == path }.map { PolicyField(medium: $0.mediumType) }
    }
}
