/// A way to reach the customer (TMF629 ContactMedium): email, phone or postal address.
public struct ContactMedium: Sendable, Equatable, Codable {
    /// Stable within the customer; assigned on creation when absent. Part of the field path
    /// that each medium's ciphertext is bound to.
    public var id: String?
    public var mediumType: MediumType
    public var preferred: Bool
    public var validFor: TimePeriod?
    public var characteristic: MediumCharacteristic

    public enum MediumType: String, Sendable, Codable, CaseIterable {
        case email, phone, mobile, fax, postalAddress
    }

    public init(id: String? = nil, mediumType: MediumType, preferred: Bool = false, validFor: TimePeriod? = nil, characteristic: MediumCharacteristic) {
        self.id = id
        self.mediumType = mediumType
        self.preferred = preferred
        self.validFor = validFor
        self.characteristic = characteristic
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case id, mediumType, preferred, validFor, characteristic }

    /// TMF's class attributes are accepted (and not kept), so that a client may echo what it read.
    static let allowedKeys = CodingKeys.names("@type", "@baseType", "@schemaLocation")

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(allowed: Self.allowedKeys)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decodeIfPresent(String.self, forKey: .id)
        mediumType = try c.decode(MediumType.self, forKey: .mediumType)
        preferred = try c.decodeIfPresent(Bool.self, forKey: .preferred) ?? false
        validFor = try c.decodeIfPresent(TimePeriod.self, forKey: .validFor)
        characteristic = try c.decode(MediumCharacteristic.self, forKey: .characteristic)
    }
}

/// The details of a contact medium (TMF's MediumCharacteristic); which keys apply depends on
/// the medium type. `socialNetworkId` is not kept: no medium type of the policy covers it.
public struct MediumCharacteristic: Sendable, Equatable, Codable {
    /// What the medium is for, e.g. `home`, `work`, `billing`; any medium.
    public var contactType: String?
    public var emailAddress: String?
    /// E.164, e.g. `+33612345678`.
    public var phoneNumber: String?
    /// E.164, on a fax medium (which may give `phoneNumber` instead).
    public var faxNumber: String?
    public var street1: String?
    public var street2: String?
    public var city: String?
    public var postCode: String?
    public var stateOrProvince: String?
    /// ISO 3166-1 alpha-2.
    public var country: String?

    public init(
        contactType: String? = nil, emailAddress: String? = nil, phoneNumber: String? = nil, faxNumber: String? = nil, street1: String? = nil,
        street2: String? = nil, city: String? = nil, postCode: String? = nil, stateOrProvince: String? = nil, country: String? = nil
    ) {
        self.contactType = contactType
        self.emailAddress = emailAddress
        self.phoneNumber = phoneNumber
        self.faxNumber = faxNumber
        self.street1 = street1
        self.street2 = street2
        self.city = city
        self.postCode = postCode
        self.stateOrProvince = stateOrProvince
        self.country = country
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case contactType, emailAddress, phoneNumber, faxNumber, street1, street2, city, postCode, stateOrProvince, country
    }

    /// TMF's class attributes are accepted (and not kept), so that a client may echo what it read.
    static let allowedKeys = CodingKeys.names("@type", "@baseType", "@schemaLocation")

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(allowed: Self.allowedKeys)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        contactType = try c.decodeIfPresent(String.self, forKey: .contactType)
        emailAddress = try c.decodeIfPresent(String.self, forKey: .emailAddress)
        phoneNumber = try c.decodeIfPresent(String.self, forKey: .phoneNumber)
        faxNumber = try c.decodeIfPresent(String.self, forKey: .faxNumber)
        street1 = try c.decodeIfPresent(String.self, forKey: .street1)
        street2 = try c.decodeIfPresent(String.self, forKey: .street2)
        city = try c.decodeIfPresent(String.self, forKey: .city)
        postCode = try c.decodeIfPresent(String.self, forKey: .postCode)
        stateOrProvince = try c.decodeIfPresent(String.self, forKey: .stateOrProvince)
        country = try c.decodeIfPresent(String.self, forKey: .country)
    }
}
