/// A TMF632 Individual: the person behind a consumer customer.
public struct Individual: Sendable, Equatable, Codable {
    public var title: String?
    public var givenName: String
    public var middleName: String?
    public var familyName: String
    /// ISO 8601 calendar date, `YYYY-MM-DD`.
    public var birthDate: String?
    public var gender: String?
    /// ISO 3166-1 alpha-2 country code.
    public var nationality: String?
    /// BCP 47 language tag.
    public var preferredLanguage: String?
    public var individualIdentification: [Identification]

    public init(
        title: String? = nil, givenName: String, middleName: String? = nil, familyName: String,
        birthDate: String? = nil, gender: String? = nil, nationality: String? = nil,
        preferredLanguage: String? = nil, individualIdentification: [Identification] = []
    ) {
        self.title = title
        self.givenName = givenName
        self.middleName = middleName
        self.familyName = familyName
        self.birthDate = birthDate
        self.gender = gender
        self.nationality = nationality
        self.preferredLanguage = preferredLanguage
        self.individualIdentification = individualIdentification
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case title, givenName, middleName, familyName, birthDate, gender, nationality, preferredLanguage
        case individualIdentification
    }

    static let allowedKeys = CodingKeys.names("@type")

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(allowed: Self.allowedKeys)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        title = try c.decodeIfPresent(String.self, forKey: .title)
        givenName = try c.decode(String.self, forKey: .givenName)
        middleName = try c.decodeIfPresent(String.self, forKey: .middleName)
        familyName = try c.decode(String.self, forKey: .familyName)
        birthDate = try c.decodeIfPresent(String.self, forKey: .birthDate)
        gender = try c.decodeIfPresent(String.self, forKey: .gender)
        nationality = try c.decodeIfPresent(String.self, forKey: .nationality)
        preferredLanguage = try c.decodeIfPresent(String.self, forKey: .preferredLanguage)
        individualIdentification = try c.decodeIfPresent([Identification].self, forKey: .individualIdentification) ?? []
    }
}
