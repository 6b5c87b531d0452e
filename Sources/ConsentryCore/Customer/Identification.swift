/// An identity document or registration (TMF632 IndividualIdentification / OrganizationIdentification).
public struct Identification: Sendable, Equatable, Codable {
    /// What kind of identification, e.g. `nationalId`, `passport`, `drivingLicence`, `vatNumber`.
    public var identificationType: String
    public var identificationId: String
    /// Who issued it: an authority name or an ISO 3166-1 country code.
    public var issuingAuthority: String?
    public var validFor: TimePeriod?

    public init(identificationType: String, identificationId: String, issuingAuthority: String? = nil, validFor: TimePeriod? = nil) {
        self.identificationType = identificationType
        self.identificationId = identificationId
        self.issuingAuthority = issuingAuthority
        self.validFor = validFor
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case identificationType, identificationId, issuingAuthority, validFor }

    static let allowedKeys = CodingKeys.names("@type", "@baseType", "@schemaLocation")

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(allowed: Self.allowedKeys)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        identificationType = try c.decode(String.self, forKey: .identificationType)
        identificationId = try c.decode(String.self, forKey: .identificationId)
        issuingAuthority = try c.decodeIfPresent(String.self, forKey: .issuingAuthority)
        validFor = try c.decodeIfPresent(TimePeriod.self, forKey: .validFor)
    }

    /// Identification types that are national identity numbers, searchable by blind index.
    public static let nationalIdTypes: Set<String> = ["nationalId", "passport", "drivingLicence", "taxId", "companyRegistration", "vatNumber"]
}
