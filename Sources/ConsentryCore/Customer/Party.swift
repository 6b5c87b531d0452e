/// The TMF632 party a customer is: a person or an organization, told apart by `@type`.
public enum Party: Sendable, Equatable, Codable {
    case individual(Individual)
    case organization(Organization)

    public var type: PartyType {
        switch self {
        case .individual: .individual
        case .organization: .organization
        }
    }

    public var identifications: [Identification] {
        switch self {
        case .individual(let person): person.individualIdentification
        case .organization(let organization): organization.organizationIdentification
        }
    }

    private enum TypeKey: String, CodingKey { case type = "@type" }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: TypeKey.self)
        let type = try container.decode(String.self, forKey: .type)
        switch PartyType(rawValue: type) {
        case .individual: self = .individual(try Individual(from: decoder))
        case .organization: self = .organization(try Organization(from: decoder))
        case nil:
            throw DecodingError.dataCorruptedError(
                forKey: .type, in: container, debugDescription: "must be \"Individual\" or \"Organization\"")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: TypeKey.self)
        try container.encode(type.rawValue, forKey: .type)
        switch self {
        case .individual(let person): try person.encode(to: encoder)
        case .organization(let organization): try organization.encode(to: encoder)
        }
    }
}

public enum PartyType: String, Sendable, Codable, CaseIterable {
    case individual = "Individual"
    case organization = "Organization"

    /// The TMF632 collection of this type: `individual`, `organization`.
    public var pathComponent: String { self == .individual ? "individual" : "organization" }
}
