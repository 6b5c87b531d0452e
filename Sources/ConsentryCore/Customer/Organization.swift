/// A TMF632 Organization: the company behind a business customer.
public struct Organization: Sendable, Equatable, Codable {
    public var name: String
    public var tradingName: String?
    public var organizationType: String?
    /// BCP 47 language tag for correspondence.
    public var preferredLanguage: String?
    public var organizationIdentification: [Identification]

    public init(
        name: String, tradingName: String? = nil, organizationType: String? = nil,
        preferredLanguage: String? = nil, organizationIdentification: [Identification] = []
    ) {
        self.name = name
        self.tradingName = tradingName
        self.organizationType = organizationType
        self.preferredLanguage = preferredLanguage
        self.organizationIdentification = organizationIdentification
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, tradingName, organizationType, preferredLanguage, organizationIdentification
    }

    static let allowedKeys = CodingKeys.names("@type")

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(allowed: Self.allowedKeys)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        tradingName = try c.decodeIfPresent(String.self, forKey: .tradingName)
        organizationType = try c.decodeIfPresent(String.self, forKey: .organizationType)
        preferredLanguage = try c.decodeIfPresent(String.self, forKey: .preferredLanguage)
        organizationIdentification = try c.decodeIfPresent([Identification].self, forKey: .organizationIdentification) ?? []
    }
}
