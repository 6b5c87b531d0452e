/// Another customer related to this one, e.g. the guardian of a minor.
///
/// In an import, `externalId` may name a customer imported earlier; it is resolved to `id`.
public struct RelatedParty: Sendable, Equatable, Codable {
    public var id: String?
    public var externalId: String?
    /// e.g. `guardian`, `legalRepresentative`, `accountOwner`.
    public var role: String

    /// The customer ids of the parties in the role of guardian.
    public static func guardianIDs(in related: [RelatedParty]) -> [String] {
        related.filter { $0.role.lowercased() == "guardian" }.compactMap(\.id)
    }

    public init(id: String? = nil, externalId: String? = nil, role: String) {
        self.id = id
        self.externalId = externalId
        self.role = role
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case id, externalId, role }

    /// The reference's own attributes are accepted and not kept (the id says who).
    static let allowedKeys = CodingKeys.names("@referredType", "href", "name", "@type", "@baseType", "@schemaLocation")

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(allowed: Self.allowedKeys)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decodeIfPresent(String.self, forKey: .id)
        externalId = try c.decodeIfPresent(String.self, forKey: .externalId)
        role = try c.decode(String.self, forKey: .role)
    }
}
