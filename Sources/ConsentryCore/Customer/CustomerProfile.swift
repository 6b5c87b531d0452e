/// Everything personal about a customer: the party, how to reach them, what describes them.
public struct CustomerProfile: Sendable, Equatable, Codable {
    public var engagedParty: Party
    public var contactMedium: [ContactMedium]
    public var characteristic: [Characteristic]
    public var relatedParty: [RelatedParty]
    /// The subject (`sub`) of the customer's login at the operator's identity provider.
    public var loginSubject: String?

    public init(
        engagedParty: Party, contactMedium: [ContactMedium] = [], characteristic: [Characteristic] = [],
        relatedParty: [RelatedParty] = [], loginSubject: String? = nil
    ) {
        self.engagedParty = engagedParty
        self.contactMedium = contactMedium
        self.characteristic = characteristic
        self.relatedParty = relatedParty
        self.loginSubject = loginSubject
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case engagedParty, contactMedium, characteristic, relatedParty, loginSubject
    }

    static let allowedKeys = CodingKeys.names()

    public init(from decoder: any Decoder) throws {
        try self.init(decoder: decoder, allowedKeys: Self.allowedKeys)
    }

    /// Decodes a profile from an object that may carry other known keys beside it (a draft).
    init(decoder: any Decoder, allowedKeys: Set<String>) throws {
        try decoder.rejectUnknownKeys(allowed: allowedKeys)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        engagedParty = try c.decode(Party.self, forKey: .engagedParty)
        contactMedium = try c.decodeIfPresent([ContactMedium].self, forKey: .contactMedium) ?? []
        characteristic = try c.decodeIfPresent([Characteristic].self, forKey: .characteristic) ?? []
        relatedParty = try c.decodeIfPresent([RelatedParty].self, forKey: .relatedParty) ?? []
        loginSubject = try c.decodeIfPresent(String.self, forKey: .loginSubject)
    }

    /// Every email address among the contact media.
    public var emails: [String] { contactMedium.compactMap(\.characteristic.emailAddress) }
    /// Every phone number among the contact media.
    public var phoneNumbers: [String] { contactMedium.compactMap(\.characteristic.phoneNumber) }
    /// Every identification number of the party.
    public var identificationNumbers: [String] { engagedParty.identifications.map(\.identificationId) }
}
