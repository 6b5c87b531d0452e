import Foundation

/// Where a customer stands for the law that protects them, taken from their own data: a
/// jurisdiction named explicitly (a characteristic `jurisdiction`), else the country, and
/// state where it matters, of their postal address. Kept in clear beside the customer row
/// (as a region code, never the address) because every decision needs it.
public struct Residence: Sendable, Equatable {
    /// A jurisdiction id named by the customer record itself.
    public var declared: String?
    /// An ISO 3166-1 alpha-2 country (`DE`) or ISO 3166-2 subdivision (`US-CA`).
    public var region: String?

    public init(declared: String? = nil, region: String? = nil) {
        self.declared = declared
        self.region = region
    }

    /// The characteristic that names a customer's jurisdiction explicitly.
    public static let characteristicName = "jurisdiction"

    public init(_ profile: CustomerProfile) {
        declared = profile.characteristic.first { $0.name == Self.characteristicName }?.value
            .trimmingCharacters(in: .whitespaces).lowercased()
        let addresses = profile.contactMedium.filter { $0.mediumType == .postalAddress }
        let address = (addresses.first(where: \.preferred) ?? addresses.first)?.characteristic
        region = address.flatMap { Self.region(country: $0.country, subdivision: $0.stateOrProvince) }
    }

    /// `US` + `CA` (or `California`) → `US-CA`; a country alone → its code. Names of
    /// countries are not guessed: the address's country is an ISO 3166-1 code.
    static func region(country: String?, subdivision: String?) -> String? {
        guard let country = country?.trimmingCharacters(in: .whitespaces).uppercased(),
            country.range(of: "^[A-Z]{2}$", options: .regularExpression) != nil
        else { return nil }
        guard let subdivision = subdivision?.trimmingCharacters(in: .whitespaces), !subdivision.isEmpty else { return country }
        if subdivision.range(of: "^[A-Za-z0-9]{1,3}$", options: .regularExpression) != nil { return country + "-" + subdivision.uppercased() }
        if let code = subdivisionNames[country]?[subdivision.lowercased()] { return country + "-" + code }
        return country
    }

    /// Subdivisions whose law differs from the country's, by the names addresses use.
    private static let subdivisionNames: [String: [String: String]] = [
        "US": ["california": "CA", "virginia": "VA", "colorado": "CO", "connecticut": "CT", "utah": "UT", "texas": "TX", "oregon": "OR"],
        "GB": ["england": "ENG", "scotland": "SCT", "wales": "WLS", "northern ireland": "NIR"],
    ]
}
