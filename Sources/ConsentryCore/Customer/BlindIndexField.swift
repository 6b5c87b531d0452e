import Foundation

/// The values a customer can be found by exactly, without storing them in plaintext.
public enum BlindIndexField: String, Sendable, CaseIterable, Codable {
    case email
    case phone
    case nationalId
    case loginSubject
    /// The customer ids of a minor's guardians, so a guardian signed in can find the minors
    /// they act for without a plaintext family link in the database.
    case guardian

    /// The canonical form that is indexed and searched, so that trivial differences in how a
    /// value is typed still match.
    public func normalize(_ value: String) -> String {
        switch self {
        case .email: EmailAddress.normalize(value)
        case .phone: PhoneNumber.normalize(value)
        case .nationalId: String(value.uppercased().filter { $0.isLetter || $0.isNumber })
        case .loginSubject, .guardian: value.trimmedWhitespace
        }
    }

    /// The normalised values of this field found in a profile.
    public func values(in profile: CustomerProfile) -> [String] {
        let raw: [String] = switch self {
        case .email: profile.emails
        case .phone: profile.phoneNumbers
        case .nationalId: profile.engagedParty.identifications.filter { Identification.nationalIdTypes.contains($0.identificationType) }.map(\.identificationId)
        case .loginSubject: profile.loginSubject.map { [$0] } ?? []
        case .guardian: profile.guardianIDs
        }
        return Array(Set(raw.map(normalize))).sorted()
    }
}

extension CustomerProfile {
    /// The customer ids of related parties in the role of guardian.
    public var guardianIDs: [String] { RelatedParty.guardianIDs(in: relatedParty) }
}
