/// A correction to a customer (HTTP PATCH): each attribute present replaces the stored one
/// whole (a list replaces the list); absent attributes stay. JSON keys are checked strictly.
public struct CustomerPatch: Sendable, Equatable, Decodable {
    public var status: CustomerStatus?
    public var engagedParty: Party?
    public var contactMedium: [ContactMedium]?
    public var characteristic: [Characteristic]?
    public var relatedParty: [RelatedParty]?
    public var loginSubject: String?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case status, engagedParty, contactMedium, characteristic, relatedParty, loginSubject
    }

    public init(
        status: CustomerStatus? = nil, engagedParty: Party? = nil, contactMedium: [ContactMedium]? = nil,
        characteristic: [Characteristic]? = nil, relatedParty: [RelatedParty]? = nil, loginSubject: String? = nil
    ) {
        self.status = status
        self.engagedParty = engagedParty
        self.contactMedium = contactMedium
        self.characteristic = characteristic
        self.relatedParty = relatedParty
        self.loginSubject = loginSubject
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(allowed: CodingKeys.names())
        let c = try decoder.container(keyedBy: CodingKeys.self)
        // A null is not "leave it": it would read as absent and silently change nothing.
        try c.rejectNulls()
        status = try c.decodeIfPresent(CustomerStatus.self, forKey: .status)
        engagedParty = try c.decodeIfPresent(Party.self, forKey: .engagedParty)
        contactMedium = try c.decodeIfPresent([ContactMedium].self, forKey: .contactMedium)
        characteristic = try c.decodeIfPresent([Characteristic].self, forKey: .characteristic)
        relatedParty = try c.decodeIfPresent([RelatedParty].self, forKey: .relatedParty)
        loginSubject = try c.decodeIfPresent(String.self, forKey: .loginSubject)
    }

    /// `customer` as a draft with this patch applied, ready for validation.
    /// - Throws: `ValidationError` when the patch changes the kind of party.
    public func applied(to customer: Customer) throws -> CustomerDraft {
        var profile = customer.profile
        if let engagedParty {
            guard engagedParty.type == profile.engagedParty.type else {
                throw ValidationError(issues: [ValidationIssue(
                    path: "engagedParty.@type", code: "immutable", message: "a customer's party cannot change from \(profile.engagedParty.type.rawValue)")])
            }
            profile.engagedParty = engagedParty
        }
        if let contactMedium { profile.contactMedium = contactMedium }
        if let characteristic { profile.characteristic = characteristic }
        if let relatedParty { profile.relatedParty = relatedParty }
        if let loginSubject { profile.loginSubject = loginSubject }
        return CustomerDraft(externalId: customer.externalId, status: status ?? customer.status, profile: profile)
    }
}

extension PolicyField {
    /// The policy fields whose values differ between two profiles: what a correction touches,
    /// and so which data categories the module must be allowed to update.
    public static func changes(from old: CustomerProfile, to new: CustomerProfile) -> Set<PolicyField> {
        let before = values(of: old)
        let after = values(of: new)
        return Set(PolicyField.allCases.filter { (before[$0] ?? []) != (after[$0] ?? []) })
    }

    /// Each policy field's stored values, sorted, for comparison.
    static func values(of profile: CustomerProfile) -> [PolicyField: [[UInt8]]] {
        var values: [PolicyField: [[UInt8]]] = [:]
        var media = profile.contactMedium.makeIterator()
        for field in PersonalFieldCodec.encode(profile) {
            let policyField: PolicyField
            if field.path.isItem(of: "contactMedium") {
                guard let medium = media.next() else { continue }
                policyField = PolicyField(medium: medium.mediumType)
            } else {
                guard let known = PolicyField(storedPath: field.path) else { continue }
                policyField = known
            }
            values[policyField, default: []].append(field.value)
        }
        return values.mapValues { $0.sorted { $0.lexicographicallyPrecedes($1) } }
    }
}
