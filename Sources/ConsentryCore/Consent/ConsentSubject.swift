import Foundation

/// What recording a consent change needs to know of the customer: who, which kind of party,
/// the language of the receipt, and for GDPR Art. 8 their age and guardians. The customer's
/// own consent path builds it from those few stored fields alone, so that signing in and
/// consenting decrypt no more of the customer than that.
public struct ConsentSubject: Sendable, Equatable {
    public var customerID: String
    public var partyType: PartyType
    public var preferredLanguage: String?
    /// `YYYY-MM-DD`, for an individual.
    public var birthDate: String?
    public var guardianIDs: [String]
    /// Where the customer lives: whose law sets the consent age and names the receipt's jurisdiction.
    public var residence: Residence

    public init(
        customerID: String, partyType: PartyType, preferredLanguage: String?, birthDate: String?, guardianIDs: [String],
        residence: Residence = Residence()
    ) {
        self.residence = residence
        self.customerID = customerID
        self.partyType = partyType
        self.preferredLanguage = preferredLanguage
        self.birthDate = birthDate
        self.guardianIDs = guardianIDs
    }

    public init(_ customer: Customer) {
        var birthDate: String?
        if case .individual(let person) = customer.profile.engagedParty { birthDate = person.birthDate }
        self.init(
            customerID: customer.id, partyType: customer.profile.engagedParty.type, preferredLanguage: customer.profile.preferredLanguage,
            birthDate: birthDate, guardianIDs: customer.profile.guardianIDs, residence: Residence(customer.profile))
    }

    /// Whole years since the birth date on `date` (UTC); `nil` for an organization or an
    /// unknown birth date.
    public func age(at date: Date) -> Int? {
        guard partyType == .individual, let birthDate else { return nil }
        return CustomerProfile.age(birthDate: birthDate, at: date)
    }

    /// The stored fields it is built from.
    public static let fields: [PolicyField] = [.birthDate, .preferredLanguage, .relatedParty]
}
