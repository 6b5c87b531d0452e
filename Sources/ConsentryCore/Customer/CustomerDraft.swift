/// What a caller supplies to create a customer: the import line and the onboarding body.
///
/// JSON shape: `externalId`, `status` and the `CustomerProfile` keys side by side, e.g.
/// `{"externalId":"LEG-1","engagedParty":{"@type":"Individual",...},"contactMedium":[...]}`.
public struct CustomerDraft: Sendable, Equatable, Codable {
    public var externalId: String?
    public var status: CustomerStatus
    public var profile: CustomerProfile

    public init(externalId: String? = nil, status: CustomerStatus = .active, profile: CustomerProfile) {
        self.externalId = externalId
        self.status = status
        self.profile = profile
    }

    enum CodingKeys: String, CodingKey { case externalId, status }

    /// Attributes the hub assigns. Accepted and ignored, as TMF APIs do, so that an export
    /// can be imported again.
    static let readOnlyKeys = ["id", "href", "version", "createdAt", "updatedAt"]
    static let allowedKeys = CustomerProfile.allowedKeys.union(["externalId", "status", "@type"] + readOnlyKeys)

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        externalId = try c.decodeIfPresent(String.self, forKey: .externalId)
        status = try c.decodeIfPresent(CustomerStatus.self, forKey: .status) ?? .active
        profile = try CustomerProfile(decoder: decoder, allowedKeys: Self.allowedKeys)
    }

    /// The import line form: `externalId`, `status` and the profile keys in one object.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(externalId, forKey: .externalId)
        try c.encode(status, forKey: .status)
        try profile.encode(to: encoder)
    }
}
