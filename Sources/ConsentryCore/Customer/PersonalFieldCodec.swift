import Foundation

/// Splits a profile into separately stored personal fields and puts it back together.
///
/// Each field has a path (`engagedParty.givenName`, `contactMedium.2`, ...) that the store
/// binds its ciphertext to, so a purpose-limited read can decrypt only the fields it needs
/// and a ciphertext moved to another field does not open. Scalars are stored as their UTF-8
/// text; structured values (a contact medium, an identification) as canonical JSON.
public enum PersonalFieldCodec {
    public struct Field: Sendable, Equatable {
        public var path: StoredFieldPath
        public var value: [UInt8]
    }

    public enum Error: Swift.Error, Equatable, CustomStringConvertible {
        case missingField(String)
        case undecodable(String)

        public var description: String {
            switch self {
            case .missingField(let path): "stored customer lacks required field \(path)"
            case .undecodable(let path): "stored field \(path) does not decode"
            }
        }
    }

    /// The fields of `profile`. Contact media without an id get one (their position, 1-based)
    /// so that the caller can store the profile back with stable ids.
    public static func encode(_ profile: CustomerProfile) -> [Field] {
        var fields: [Field] = []
        func scalar(_ path: String, _ value: String?) {
            if let value { fields.append(Field(path: StoredFieldPath(scalar: PolicyField(rawValue: path)!), value: Array(value.utf8))) }
        }
        func json(_ list: String, _ key: some CustomStringConvertible, _ value: CanonicalJSON) {
            fields.append(Field(path: StoredFieldPath(item: key, of: list), value: value.bytes))
        }
        switch profile.engagedParty {
        case .individual(let p):
            scalar("engagedParty.title", p.title)
            scalar("engagedParty.givenName", p.givenName)
            scalar("engagedParty.middleName", p.middleName)
            scalar("engagedParty.familyName", p.familyName)
            scalar("engagedParty.birthDate", p.birthDate)
            scalar("engagedParty.gender", p.gender)
            scalar("engagedParty.nationality", p.nationality)
            scalar("engagedParty.preferredLanguage", p.preferredLanguage)
            for (i, identification) in p.individualIdentification.enumerated() {
                json("engagedParty.individualIdentification", i, identification.canonicalJSON)
            }
        case .organization(let o):
            scalar("engagedParty.name", o.name)
            scalar("engagedParty.tradingName", o.tradingName)
            scalar("engagedParty.organizationType", o.organizationType)
            scalar("engagedParty.preferredLanguage", o.preferredLanguage)
            for (i, identification) in o.organizationIdentification.enumerated() {
                json("engagedParty.organizationIdentification", i, identification.canonicalJSON)
            }
        }
        for medium in withMediumIds(profile.contactMedium) {
            json("contactMedium", medium.id!, medium.canonicalJSON)
        }
        for (i, characteristic) in profile.characteristic.enumerated() { json("characteristic", i, characteristic.canonicalJSON) }
        for (i, related) in profile.relatedParty.enumerated() { json("relatedParty", i, related.canonicalJSON) }
        scalar("loginSubject", profile.loginSubject)
        return fields
    }

    /// Rebuilds a profile from all of its stored fields.
    /// - Throws: `PersonalFieldCodec.Error` if a required field is missing or a value is corrupt.
    public static func decode(partyType: PartyType, fields: [StoredFieldPath: [UInt8]]) throws -> CustomerProfile {
        func scalar(_ path: String) -> String? { fields[StoredFieldPath(rawValue: path)].map { String(decoding: $0, as: UTF8.self) } }
        func required(_ path: String) throws -> String {
            guard let value = scalar(path) else { throw Error.missingField(path) }
            return value
        }
        func list<T: Decodable>(_ prefix: String, as type: T.Type) throws -> [T] {
            try fields.filter { $0.key.isItem(of: prefix) }
                .sorted { order($0.key.rawValue, prefix) < order($1.key.rawValue, prefix) }
                .map { entry in
                    do { return try decoder.decode(T.self, from: Data(entry.value)) } catch { throw Error.undecodable(entry.key.rawValue) }
                }
        }
        let party: Party
        switch partyType {
        case .individual:
            party = .individual(Individual(
                title: scalar("engagedParty.title"), givenName: try required("engagedParty.givenName"),
                middleName: scalar("engagedParty.middleName"), familyName: try required("engagedParty.familyName"),
                birthDate: scalar("engagedParty.birthDate"), gender: scalar("engagedParty.gender"),
                nationality: scalar("engagedParty.nationality"), preferredLanguage: scalar("engagedParty.preferredLanguage"),
                individualIdentification: try list("engagedParty.individualIdentification", as: Identification.self)))
        case .organization:
            party = .organization(Organization(
                name: try required("engagedParty.name"), tradingName: scalar("engagedParty.tradingName"),
                organizationType: scalar("engagedParty.organizationType"), preferredLanguage: scalar("engagedParty.preferredLanguage"),
                organizationIdentification: try list("engagedParty.organizationIdentification", as: Identification.self)))
        }
        return CustomerProfile(
            engagedParty: party,
            contactMedium: try list("contactMedium", as: ContactMedium.self),
            characteristic: try list("characteristic", as: Characteristic.self),
            relatedParty: try list("relatedParty", as: RelatedParty.self),
            loginSubject: scalar("loginSubject"))
    }

    /// Gives every medium an id, keeping existing ones and numbering the rest after them.
    public static func withMediumIds(_ media: [ContactMedium]) -> [ContactMedium] {
        var used = Set(media.compactMap(\.id))
        var next = 1
        return media.map { medium in
            var medium = medium
            if medium.id == nil {
                while used.contains(String(next)) { next += 1 }
                medium.id = String(next)
                used.insert(medium.id!)
            }
            return medium
        }
    }

    /// Sort key keeping list order: numeric suffixes numerically, others by text.
    private static func order(_ path: String, _ prefix: String) -> (Int, String) {
        let suffix = String(path.dropFirst(prefix.count + 1))
        return (Int(suffix) ?? Int.max, suffix)
    }

    private static let decoder = JSONDecoder()
}
