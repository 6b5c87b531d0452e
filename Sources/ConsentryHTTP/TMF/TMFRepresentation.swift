import ConsentryCore
import Foundation
import Hummingbird

/// Translates TMF629 `Customer` and TMF632 `Individual` / `Organization` request bodies into
/// Consentry's customer draft form (the import line: `externalId`, `status`, `engagedParty`
/// with `@type`, `contactMedium`, `characteristic`, `relatedParty`, `loginSubject`), so that
/// one strict decoder and one validator serve every way a customer comes in.
///
/// What TMF lets a client send and Consentry derives (`id`, `href`, `name`, `@baseType`,
/// `@schemaLocation`, a party's TMF `status`) is accepted and dropped; what Consentry does
/// not keep (accounts, credit profiles, payment methods...) stays in the body, so that the
/// strict decoder names it as an unknown field. `null` members are kept: a merge patch
/// removes with them, and a create refuses them.
enum TMFRepresentation {
    /// A TMF629 create body: the party itself (Consentry's onboarding form) or a reference to
    /// a party created through TMF632.
    enum CustomerBody {
        case withParty(JSONValue)
        case forParty(id: String, rest: JSONValue)
    }

    static let derivedKeys: Set<String> = ["id", "href", "@baseType", "@schemaLocation", "version", "createdAt", "updatedAt"]
    static let referenceKeys: Set<String> = ["id", "href", "name", "role", "@referredType", "@type", "@baseType", "@schemaLocation"]

    static func customer(_ body: JSONValue) throws -> CustomerBody {
        guard case .object(var members) = body else { throw malformed("", "the body must be a JSON object") }
        // `name` is derived from the party's names; `@type` says Customer.
        members.removeAll { derivedKeys.contains($0.0) || $0.0 == "name" || $0.0 == "@type" }
        guard let index = members.firstIndex(where: { $0.0 == "engagedParty" }), case .object(let party) = members[index].1 else {
            return .withParty(.object(members))
        }
        if let id = party.first(where: { $0.0 == "id" })?.1 {
            guard case .string(let partyID) = id, !partyID.isEmpty else { throw malformed("engagedParty.id", "must be the party's id") }
            if let extra = party.first(where: { !referenceKeys.contains($0.0) }) {
                throw malformed("engagedParty.\(extra.0)", "a reference to a party (id, @referredType) carries no attributes; change the party through /tmf-api/party/v4")
            }
            members.remove(at: index)
            return .forParty(id: partyID, rest: .object(members))
        }
        members[index].1 = .object(party.filter { !["@baseType", "@schemaLocation"].contains($0.0) }.map { key, value in
            (key, key == "birthDate" ? day(value) : value)
        })
        return .withParty(.object(members))
    }

    /// A TMF629 PATCH body for customer `id`, as a merge patch of the draft form. A reference
    /// in `engagedParty` must name the customer's own party; party attributes beside it merge.
    static func customerPatch(_ body: JSONValue, id: String) throws -> JSONValue {
        guard case .object(var members) = body else { throw malformed("", "a merge patch of a customer is a JSON object") }
        members.removeAll { derivedKeys.contains($0.0) || $0.0 == "name" || $0.0 == "@type" }
        if let index = members.firstIndex(where: { $0.0 == "engagedParty" }), case .object(var party) = members[index].1 {
            let isReference = party.contains { $0.0 == "id" || $0.0 == "@referredType" }
            if isReference {
                if let reference = party.first(where: { $0.0 == "id" })?.1, reference != .string(id) {
                    throw ValidationError(issues: [ValidationIssue(path: "engagedParty.id", code: "immutable", message: "a customer's party cannot change")])
                }
                // The reference's own members; `name` there is the derived display name.
                party.removeAll { ["id", "href", "name", "role", "@referredType"].contains($0.0) }
            }
            party.removeAll { ["@baseType", "@schemaLocation"].contains($0.0) }
            members[index].1 = .object(party.map { key, value in (key, key == "birthDate" ? day(value) : value) })
        }
        return .object(members)
    }

    /// A TMF632 body (create or merge patch) for a party of `type`, in the draft form.
    static func party(_ body: JSONValue, type: PartyType) throws -> JSONValue {
        guard case .object(let members) = body else { throw malformed("", "the body must be a JSON object") }
        var draft: [(String, JSONValue)] = []
        var party: [(String, JSONValue)] = []
        for (key, value) in members {
            switch key {
            case "@type":
                guard value == .string(type.rawValue) else { throw malformed("@type", "must be \(type.rawValue) on this path") }
            case _ where derivedKeys.contains(key), "status":
                // A party's TMF state (initialized, validated...) is not something Consentry keeps.
                continue
            case "contactMedium", "relatedParty", "loginSubject":
                draft.append((key, key == "relatedParty" ? references(value) : value))
            case "partyCharacteristic":
                draft.append(("characteristic", value))
            case "externalReference":
                draft.append(("externalId", try externalID(value)))
            case "languageAbility":
                party.append(("preferredLanguage", try language(value)))
            case "birthDate":
                party.append((key, day(value)))
            default:
                party.append((key, value))
            }
        }
        draft.insert(("engagedParty", .object([("@type", .string(type.rawValue))] + party)), at: 0)
        return .object(draft)
    }

    /// A customer in the draft form, the base a merge patch applies to.
    static func draft(of customer: Customer) throws -> JSONValue {
        let encoder = JSONEncoder()
        let draft = CustomerDraft(externalId: customer.externalId, status: customer.status, profile: customer.profile)
        return try JSONValue.parse(Array(try encoder.encode(draft)))
    }

    /// Decodes the draft form strictly, naming problems by the paths of `resource`'s shape.
    static func decodeDraft(_ value: JSONValue, as resource: GuardedCustomerView.Resource) throws -> CustomerDraft {
        do {
            return try JSONDecoder().decode(CustomerDraft.self, from: Data(value.bytes))
        } catch let error as DecodingError {
            throw ProblemDetails(
                status: .badRequest, code: "malformed_body", detail: "the body does not match the expected JSON",
                issues: ValidationError(decoding: error).issues.map { issue in relabel(issue, for: resource) })
        }
    }

    /// A validation problem of the draft form, named as the caller's resource names it.
    static func relabel(_ issue: ValidationIssue, for resource: GuardedCustomerView.Resource) -> ValidationIssue {
        guard resource == .party else { return issue }
        var issue = issue
        if issue.path.hasPrefix("engagedParty.preferredLanguage") {
            issue.path = "languageAbility"
        } else if issue.path.hasPrefix("engagedParty.") {
            issue.path = String(issue.path.dropFirst("engagedParty.".count))
        } else if issue.path.hasPrefix("characteristic") {
            issue.path = "partyCharacteristic" + issue.path.dropFirst("characteristic".count)
        } else if issue.path == "externalId" {
            issue.path = "externalReference"
        }
        return issue
    }

    // MARK: Members

    /// TMF's date-time birth date as the day Consentry keeps (`1987-07-26T00:00:00Z` → `1987-07-26`).
    private static func day(_ value: JSONValue) -> JSONValue {
        guard case .string(let text) = value, text.count > 10, text.dropFirst(10).first == "T" else { return value }
        return .string(String(text.prefix(10)))
    }

    /// The favourite language's code (or the only one's).
    private static func language(_ value: JSONValue) throws -> JSONValue {
        if value == .null { return .null }
        guard case .array(let abilities) = value else { throw malformed("languageAbility", "must be a list of language abilities") }
        let favourite = abilities.first { $0["isFavouriteLanguage"] == .bool(true) } ?? (abilities.count == 1 ? abilities[0] : nil)
        guard let code = favourite?["languageCode"], case .string = code else {
            throw malformed("languageAbility", "mark one language isFavouriteLanguage, with its languageCode (BCP 47)")
        }
        return code
    }

    /// The legacy id: the reference of type `externalId`, or the only reference.
    private static func externalID(_ value: JSONValue) throws -> JSONValue {
        if value == .null { return .null }
        guard case .array(let references) = value else { throw malformed("externalReference", "must be a list of external references") }
        let chosen = references.first { $0["externalReferenceType"] == .string("externalId") } ?? (references.count == 1 ? references[0] : nil)
        guard let name = chosen?["name"], case .string = name else {
            throw malformed("externalReference", "give the legacy id as {\"name\": ..., \"externalReferenceType\": \"externalId\"}")
        }
        return name
    }

    /// Related parties as Consentry keeps them: id (or externalId) and role.
    private static func references(_ value: JSONValue) -> JSONValue {
        guard case .array(let items) = value else { return value }
        return .array(items.map { item in
            guard case .object(let members) = item else { return item }
            return .object(members.filter { !["href", "name", "@type", "@baseType", "@schemaLocation"].contains($0.0) })
        })
    }

    static func malformed(_ path: String, _ message: String) -> ProblemDetails {
        ProblemDetails(
            status: .badRequest, code: "malformed_body", detail: "the body does not match the expected JSON",
            issues: [ValidationIssue(path: path.isEmpty ? "body" : path, code: "invalid", message: message)])
    }
}
