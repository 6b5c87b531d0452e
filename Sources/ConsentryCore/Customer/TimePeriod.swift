/// A TMF validity period; dates as ISO 8601 calendar dates or date-times, both optional.
public struct TimePeriod: Sendable, Equatable, Codable {
    public var startDateTime: String?
    public var endDateTime: String?

    public init(startDateTime: String? = nil, endDateTime: String? = nil) {
        self.startDateTime = startDateTime
        self.endDateTime = endDateTime
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case startDateTime, endDateTime }

    static let allowedKeys = CodingKeys.names()

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(allowed: Self.allowedKeys)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        startDateTime = try c.decodeIfPresent(String.self, forKey: .startDateTime)
        endDateTime = try c.decodeIfPresent(String.self, forKey: .endDateTime)
    }
}
