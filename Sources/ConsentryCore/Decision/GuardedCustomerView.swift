/// Renders what a decision lets out of one customer: TMF629 `Customer` or TMF632
/// `Individual` / `Organization`, with masked values masked, withheld fields absent and
/// named, with their reasons, under `privacyDecision`.
public struct GuardedCustomerView: Sendable {
    public enum Resource: Sendable {
        /// `/customerManagement/v4/customer/{id}`: the party nested as `engagedParty`.
        case customer
        /// `/partyManagement/v4/individual|organization/{id}`: the party's attributes at the top.
        case party
    }

    public var resource: Resource
    /// Prefix of `href`, e.g. `/tmf-api/customerManagement/v4/customer`.
    public var hrefBase: String
    public var selection: FieldSelection

    public init(resource: Resource, hrefBase: String, selection: FieldSelection) {
        self.resource = resource
        self.hrefBase = hrefBase
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
            default: party.append((String(field.rawValue.dropFirst("engagedParty.".count)), value))
            }
        }
        for field in [PolicyField.individualIdentification, .organizationIdentification] {
            if let items = lists[field] { party.append((String(field.rawValue.dropFirst("engagedParty.".count)), .array(items))) }
        }

        var out: [(String, JSONValue)] = [
            ("id", .string(customer.id)),
            ("href", .string(hrefBase + "/" + customer.id)),
        ]
        switch resource {
        case .customer:
            out.append(("@type", .string("Customer")))
            appendAdministrative(customer, to: &out)
            if party.count > 1 || selection.includes("engagedParty") { out.append(("engagedParty", .object(party))) }
        case .party:
            out.append(("@type", .string(customer.partyType.rawValue)))
            appendAdministrative(customer, to: &out)
            out += party.dropFirst()
        }
        if !contactMedia.isEmpty { out.append(("contactMedium", .array(contactMedia))) }
        if let items = lists[.characteristic] { out.append(("characteristic", .array(items))) }
        if let items = lists[.relatedParty] { out.append(("relatedParty", .array(items))) }
        if let loginSubject { out.append(("loginSubject", loginSubject)) }
        out.append(("privacyDecision", Self.summary(of: decision)))
        return .object(out)
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

    private func appendAdministrative(_ customer: DisclosedCustomer, to out: inout [(String, JSONValue)]) {
        if let externalId = customer.externalId, selection.includes("externalId") { out.append(("externalId", .string(externalId))) }
        if selection.includes("status") { out.append(("status", .string(customer.status.rawValue))) }
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
