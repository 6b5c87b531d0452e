/// Renders what a decision lets out of one customer: TMF629 `Customer` or TMF632
/// `Individual` / `Organization`, with masked values masked, withheld fields absent and
/// named, with their reasons, under `privacyDecision`.
///
/// A Consentry customer is one party in the customer role, stored as one record, so the
/// customer and its party share an id. The customer's `engagedParty` is the TMF
/// `RelatedParty` reference to that party (`id`, `href`, `@referredType`, `name`) and also
/// carries the party attributes the decision discloses, so that a module reads a customer
/// in one call (docs/tmf-conformance.md lists it). Dates stored as days are written as
/// TMF's date-times (`1987-07-26T00:00:00Z`); a masked date keeps its mask.
public struct GuardedCustomerView: Sendable {
    public enum Resource: Sendable {
        /// `/customerManagement/v4/customer/{id}`: the party referenced as `engagedParty`.
        case customer
        /// `/party/v4/individual|organization/{id}`: the party's attributes at the top.
        case party
    }

    public var resource: Resource
    /// Prefix of `href`, e.g. `/tmf-api/customerManagement/v4/customer`.
    public var hrefBase: String
    /// Prefix of the party reference's `href` (`/tmf-api/party/v4`); `nil` leaves it out
    /// (the customer's own view under `/self`, where the party API is not theirs to call).
    public var partyHrefBase: String?
    public var selection: FieldSelection

    /// The path where the server serves the schema of Consentry's additions to the TMF resources.
    public static let schemaPath = "/schemas/consentry-tmf-extensions.json"
    /// `@schemaLocation`: TMF wants an absolute URI, so the server's own origin plus `schemaPath`.
    public var schemaLocation: String

    public init(resource: Resource, hrefBase: String, partyHrefBase: String? = nil, schemaLocation: String = "http://localhost" + schemaPath, selection: FieldSelection) {
        self.resource = resource
        self.hrefBase = hrefBase
        self.partyHrefBase = partyHrefBase
        self.schemaLocation = schemaLocation
        self.selection = selection
    }

    public func render(_ customer: DisclosedCustomer, decision: AccessDecision) -> JSONValue {
        var treatment: [PolicyField: FieldDecision.Treatment] = [:]
        for field in decision.fields { treatment[field.field] = field.treatment }

        var party: [(String, JSONValue)] = [("@type", .string(customer.partyType.rawValue))]
        var lists: [PolicyField: [JSONValue]] = [:]
        var contactMedia: [JSONValue] = []
        var loginSubject: JSONValue?

        for (path, bytes) in customer.fields {
            if path.isItem(of: "contactMedium") {
                guard let medium = try? JSONValue.parse(bytes), let type = medium["mediumType"]?.stringValue,
                    let mediumType = ContactMedium.MediumType(rawValue: type)
                else { continue }
                let field = PolicyField(medium: mediumType)
                if let value = disclose(medium, field, treatment) { contactMedia.append(value) }
                continue
            }
            guard let field = PolicyField(storedPath: path) else { continue }
            let isList = path.rawValue != field.rawValue
            let raw: JSONValue
            if isList {
                guard let parsed = try? JSONValue.parse(bytes) else { continue }
                raw = parsed
            } else {
                raw = .string(String(decoding: bytes, as: UTF8.self))
            }
            guard let value = disclose(raw, field, treatment) else { continue }
            switch field {
            case .loginSubject: loginSubject = value
            case .characteristic, .relatedParty: lists[field, default: []].append(value)
            case .individualIdentification, .organizationIdentification: lists[field, default: []].append(value)
            // A masked birth date (`1993-**-**`) is no date-time: it goes under a name of its own
            // rather than break TMF's type or pass for a real day.
            case .birthDate where treatment[field] == .masked: party.append(("maskedBirthDate", value))
            case .birthDate: party.append(("birthDate", Self.dateTime(value)))
            default: party.append((String(field.rawValue.dropFirst("engagedParty.".count)), Self.dateTimes(value)))
            }
        }
        for field in [PolicyField.individualIdentification, .organizationIdentification] {
            if let items = lists[field] { party.append((String(field.rawValue.dropFirst("engagedParty.".count)), Self.dateTimes(.array(items)))) }
        }
        party.removeFirst()
        let name = Self.name(of: party, type: customer.partyType)

        var out: [(String, JSONValue)] = [
            ("id", .string(customer.id)),
            ("href", .string(hrefBase + "/" + customer.id)),
        ]
        switch resource {
        case .customer:
            out.append(("@type", .string("Customer")))
            out.append(("@schemaLocation", .string(schemaLocation)))
            if let name { out.append(("name", name)) }
            appendAdministrative(customer, to: &out)
            var reference: [(String, JSONValue)] = [("id", .string(customer.id))]
            if let partyHrefBase { reference.append(("href", .string("\(partyHrefBase)/\(customer.partyType.pathComponent)/\(customer.id)"))) }
            if let name { reference.append(("name", name)) }
            reference.append(("@referredType", .string(customer.partyType.rawValue)))
            out.append(("engagedParty", .object(reference + party)))
        case .party:
            out.append(("@type", .string(customer.partyType.rawValue)))
            out.append(("@schemaLocation", .string(schemaLocation)))
            appendAdministrative(customer, to: &out, asParty: true)
            // TMF632 names: `languageAbility` for the preferred language.
            for (key, value) in party {
                if key == "preferredLanguage" {
                    out.append(("languageAbility", .array([.object([("languageCode", value), ("isFavouriteLanguage", .bool(true))])])))
                } else {
                    out.append((key, value))
                }
            }
        }
        if !contactMedia.isEmpty { out.append(("contactMedium", Self.dateTimes(.array(contactMedia)))) }
        if let items = lists[.characteristic] {
            out.append((resource == .party ? "partyCharacteristic" : "characteristic", .array(items.map(Self.typed))))
        }
        if let items = lists[.relatedParty] { out.append(("relatedParty", .array(items.map(Self.referred)))) }
        if let loginSubject { out.append(("loginSubject", loginSubject)) }
        out.append(("privacyDecision", Self.summary(of: decision)))
        return .object(out)
    }

    /// A related party as TMF's `RelatedParty`, which names the type it refers to. Consentry
    /// keeps the relation (id and role) without the other party's type; a guardian or legal
    /// representative is a person, anyone else is named by the common supertype `Party`.
    static func referred(_ related: JSONValue) -> JSONValue {
        guard case .object(var members) = related, !members.contains(where: { $0.0 == "@referredType" }) else { return related }
        let role = related["role"]?.stringValue?.lowercased() ?? ""
        members.append(("@referredType", .string(["guardian", "legalrepresentative"].contains(role) ? "Individual" : "Party")))
        return .object(members)
    }

    /// A characteristic with its value typed as `valueType` says (a masked value stays text).
    static func typed(_ characteristic: JSONValue) -> JSONValue {
        guard case .string(let text)? = characteristic["value"], let type = characteristic["valueType"]?.stringValue else { return characteristic }
        var typed = characteristic
        typed.set("value", Characteristic.typedValue(text, valueType: type))
        return typed
    }

    /// The party's name as far as the decision discloses it: an individual's given and family
    /// names (as disclosed, masked or not), an organization's name; `nil` when none is.
    static func name(of party: [(String, JSONValue)], type: PartyType) -> JSONValue? {
        let keys = type == .individual ? ["givenName", "familyName"] : ["name"]
        let parts = keys.compactMap { key in party.first { $0.0 == key }?.1.stringValue }
        return parts.isEmpty ? nil : .string(parts.joined(separator: " "))
    }

    /// TMF types birth dates and validity periods as date-times; Consentry keeps days, as the
    /// customer gave them. A day becomes midnight UTC; anything else is left as it is.
    static func dateTimes(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let members):
            return .object(members.map { key, member in (key, dateTimeKeys.contains(key) ? dateTime(member) : dateTimes(member)) })
        case .array(let items): return .array(items.map(dateTimes))
        default: return value
        }
    }

    private static let dateTimeKeys: Set<String> = ["birthDate", "deathDate", "startDateTime", "endDateTime", "issuingDate"]

    /// One value: a day becomes midnight UTC, anything else stays.
    static func dateTime(_ value: JSONValue) -> JSONValue {
        guard case .string(let text) = value, isDay(text) else { return value }
        return .string(text + "T00:00:00Z")
    }

    private static func isDay(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else { return false }
        return bytes.enumerated().allSatisfy { index, byte in index == 4 || index == 7 || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }
    }

    /// `{purpose, policyVersion, outcome, masked: [...], withheld: [{field, reason}]}`.
    public static func summary(of decision: AccessDecision) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("purpose", .string(decision.purpose)),
            ("policyVersion", .string(decision.policyVersion)),
            ("outcome", .string(decision.outcome.rawValue)),
            ("masked", .array(decision.fields.filter { $0.treatment == .masked }.map { .string($0.field.rawValue) })),
            ("withheld", .array(decision.withheld.map { field in
                .object([("field", .string(field.field.rawValue)), ("reason", .string(field.reason.rawValue))])
            })),
        ]
        if let reason = decision.customerReason { members.insert(("customerReason", .string(reason.rawValue)), at: 3) }
        return .object(members)
    }

    /// The record's administrative attributes. On a party, the legacy id is TMF632's
    /// `externalReference`, and the customer's status stays on the customer: a party's
    /// TMF state (`initialized`, `validated`...) is not something Consentry tracks.
    private func appendAdministrative(_ customer: DisclosedCustomer, to out: inout [(String, JSONValue)], asParty: Bool = false) {
        if let externalId = customer.externalId, selection.includes("externalId") {
            if asParty {
                out.append(("externalReference", .array([.object([("name", .string(externalId)), ("externalReferenceType", .string("externalId"))])])))
            } else {
                out.append(("externalId", .string(externalId)))
            }
        }
        if !asParty, selection.includes("status") { out.append(("status", .string(customer.status.rawValue))) }
        if selection.includes("version") { out.append(("version", .int(customer.version))) }
        if selection.includes("createdAt") { out.append(("createdAt", .string(ISOTimestamp.format(customer.createdAt)))) }
        if selection.includes("updatedAt") { out.append(("updatedAt", .string(ISOTimestamp.format(customer.updatedAt)))) }
    }

    private func disclose(_ value: JSONValue, _ field: PolicyField, _ treatment: [PolicyField: FieldDecision.Treatment]) -> JSONValue? {
        switch treatment[field] {
        case .plain: value
        case .masked: FieldMask.mask(value, as: field)
        case .withheld, nil: nil
        }
    }
}
