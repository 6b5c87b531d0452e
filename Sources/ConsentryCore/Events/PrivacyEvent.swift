import Foundation

/// Something modules must learn of at once: a consent change, an objection, a restriction,
/// a rectification or an erasure request. It names the customer by id and the fields by
/// name; it never carries a personal value, so a leaked event discloses no contact data.
public struct PrivacyEvent: Sendable, Equatable {
    public var id: String
    public var type: EventType
    public var customerID: String
    /// The purpose concerned; `nil` for customer-wide events (restriction, rectification, erasure).
    public var purpose: String?
    /// The resulting state: `given`, `withdrawn`, `objection`, `restricted`, `received`...
    public var state: String?
    /// Field names, for a rectification.
    public var fields: [String]
    /// The data-subject request behind the event, if any.
    public var requestID: String?
    public var occurredAt: Date
    /// The request that caused it, so modules and the audit can be correlated.
    public var correlationID: String?

    /// What happened, as Consentry records it. The raw values are the names of Consentry's
    /// first release, still stored in the outbox and still accepted by `eventType=` filters;
    /// on the wire each event carries its TM Forum name (`tmfEventType`).
    public enum EventType: String, Sendable, CaseIterable {
        case consentChange = "ConsentChangeEvent"
        case objectionChange = "ObjectionChangeEvent"
        case restrictionChange = "ProcessingRestrictionChangeEvent"
        /// An opt-out right (CPRA "do not sell or share"...) exercised or withdrawn; `purpose` is the right.
        case optOutChange = "OptOutChangeEvent"
        case rectification = "CustomerAttributeValueChangeEvent"
        case erasureRequest = "ErasureRequestCreateEvent"
        /// The erasure was carried out: delete your copies, except what `held` keeps.
        case erasure = "CustomerErasureEvent"
    }

    /// The TM Forum event this is published as: TMF644's profile events for consents,
    /// objections (`PartyPrivacyProfileAttributeValueChangeEvent`) and restrictions
    /// (`PartyPrivacyProfileStatusChangeEvent`: the profile's status is `restricted`), TMF629's
    /// customer events for corrections and erasures. A filed erasure request has no TMF
    /// resource: `ErasureRequestCreateEvent` is Consentry's own (docs/tmf-conformance.md).
    public var tmfEventType: String {
        switch type {
        case .consentChange, .objectionChange, .optOutChange: "PartyPrivacyProfileAttributeValueChangeEvent"
        case .restrictionChange: "PartyPrivacyProfileStatusChangeEvent"
        case .rectification: fields == ["status"] ? "CustomerStateChangeEvent" : "CustomerAttributeValueChangeEvent"
        case .erasureRequest: "ErasureRequestCreateEvent"
        case .erasure: "CustomerDeleteEvent"
        }
    }

    /// Every name an `eventType=` filter may use: the TMF names and the first release's.
    public static let knownNames: [String] = {
        let tmf = [
            "PartyPrivacyProfileAttributeValueChangeEvent", "PartyPrivacyProfileStatusChangeEvent", "CustomerAttributeValueChangeEvent",
            "CustomerStateChangeEvent", "CustomerDeleteEvent", "ErasureRequestCreateEvent",
        ]
        return tmf + EventType.allCases.map(\.rawValue).filter { !tmf.contains($0) }
    }()

    public init(
        id: String = UUID().uuidString.lowercased(), type: EventType, customerID: String, purpose: String? = nil, state: String? = nil,
        fields: [String] = [], requestID: String? = nil, occurredAt: Date, correlationID: String? = nil
    ) {
        self.id = id
        self.type = type
        self.customerID = customerID
        self.purpose = purpose
        self.state = state
        self.fields = fields
        self.requestID = requestID
        self.occurredAt = occurredAt
        self.correlationID = correlationID
    }

    /// Whether `module` may learn of this event: purpose-scoped events go only to modules
    /// whose profile holds that purpose, customer-wide ones to every module.
    public func isVisible(to module: ModuleProfile, policy: Policy? = nil) -> Bool {
        guard let purpose else { return true }
        return !module.purposes.isDisjoint(with: concernedPurposes(policy: policy, purpose: purpose))
    }

    /// The purposes the event concerns: its own, or for an opt-out every purpose the right
    /// covers in any jurisdiction of the policy (a module running one of them must hear of it).
    func concernedPurposes(policy: Policy?, purpose: String) -> Set<String> {
        guard type == .optOutChange, let policy else { return [purpose] }
        return policy.jurisdictions.values.reduce(into: Set<String>()) { covered, jurisdiction in
            covered.formUnion(OptOutRight(rawValue: purpose).flatMap { jurisdiction.optOuts[$0]?.purposes } ?? [])
        }
    }

    /// The TMF event envelope that is POSTed to subscribers (TMF629/TMF644 `...Event`):
    /// `eventId`, `eventTime`, `eventType`, `correlationId`, `domain`, `title`, `description`,
    /// `priority`, `timeOcurred` (TMF's spelling), `fieldPath` for attribute changes, and the
    /// resource under `event`. The resource is a reference with the non-personal attributes
    /// that changed, never a personal value: a module reads the rest through the guarded API
    /// with its purpose. `sequence` and `consentryEventType` are Consentry's additions.
    public func envelope(sequence: Int64) -> JSONValue {
        let customer: JSONValue = .object([
            ("id", .string(customerID)), ("href", .string("/tmf-api/customerManagement/v4/customer/\(customerID)")), ("@type", .string("Customer")),
        ])
        var resource: [(String, JSONValue)]
        var fieldPath: String?
        let domain: String
        switch type {
        case .consentChange, .objectionChange, .restrictionChange, .optOutChange:
            domain = "privacyManagement"
            var profile: [(String, JSONValue)] = [
                ("id", .string(customerID)), ("href", .string("/tmf-api/privacyManagement/v4/partyPrivacyProfile/\(customerID)")),
                ("@type", .string("PartyPrivacyProfile")),
            ]
            if type == .restrictionChange {
                profile.append(("status", .string(state == "restricted" ? "restricted" : "active")))
            } else if let purpose {
                profile.append(("partyPrivacyProfileCharacteristic", .array([.object([
                    ("name", .string(purpose)), ("privacyUsagePurpose", .string(purpose)), ("value", state.map(JSONValue.string) ?? .null),
                ])])))
                fieldPath = "partyPrivacyProfileCharacteristic"
            }
            resource = [("partyPrivacyProfile", .object(profile))]
        case .rectification, .erasure:
            domain = "customerManagement"
            resource = [("customer", customer)]
            if type == .rectification { fieldPath = fields.joined(separator: ",") } else if !fields.isEmpty { resource.append(("erasedFields", .array(fields.map { .string($0) }))) }
        case .erasureRequest:
            domain = "privacyManagement"
            resource = [("customer", customer)]
        }
        if let requestID {
            resource.append(("dataSubjectRequest", .object([("id", .string(requestID)), ("href", .string("/compliance/v1/requests/\(requestID)"))])))
        }
        let time = JSONValue.string(ISOTimestamp.format(occurredAt))
        var envelope: [(String, JSONValue)] = [
            ("eventId", .string(id)),
            ("eventTime", time),
            ("eventType", .string(tmfEventType)),
            ("domain", .string(domain)),
            ("title", .string(title)),
            ("description", .string(summary)),
            ("priority", .string([.erasure, .erasureRequest, .restrictionChange].contains(type) || state == "withdrawn" || state == "objected" || state == "opted_out" ? "high" : "normal")),
            ("timeOcurred", time),
        ]
        if let correlationID { envelope.append(("correlationId", .string(correlationID))) }
        if let fieldPath, !fieldPath.isEmpty { envelope.append(("fieldPath", .string(fieldPath))) }
        envelope.append(("sequence", .int(Int(sequence))))
        envelope.append(("consentryEventType", .string(type.rawValue)))
        envelope.append(("event", .object(resource)))
        return .object(envelope)
    }

    /// A short title; purposes are policy ids, never personal data.
    var title: String {
        switch type {
        case .consentChange: "Consent \(state ?? "changed")"
        case .objectionChange: state == "objected" ? "Objection" : "Objection withdrawn"
        case .restrictionChange: state == "restricted" ? "Processing restricted" : "Restriction lifted"
        case .optOutChange: state == "opted_out" ? "Opted out (\(purpose ?? "opt-out"))" : "Opt-out withdrawn (\(purpose ?? "opt-out"))"
        case .rectification: "Customer corrected"
        case .erasureRequest: "Erasure requested"
        case .erasure: "Customer erased"
        }
    }

    /// What a module is expected to do.
    var summary: String {
        switch type {
        case .consentChange: "The customer's consent for \(purpose ?? "a purpose") is now \(state ?? "changed"); stop or start that processing accordingly."
        case .objectionChange: "The customer's objection to \(purpose ?? "a purpose") is now \(state ?? "changed")."
        case .optOutChange:
            state == "opted_out"
                ? "The customer exercised the opt-out right \(purpose ?? ""): stop the purposes it covers in their jurisdiction (see the policy)."
                : "The customer withdrew the opt-out \(purpose ?? ""); the purposes it covers may resume."
        case .restrictionChange: state == "restricted" ? "Processing of this customer's data is restricted (GDPR Art. 18): store only." : "The restriction of processing is lifted."
        case .rectification: "Fields were corrected: read them again through the guarded API with your purpose."
        case .erasureRequest: "An erasure request was filed; the erasure itself follows as CustomerDeleteEvent once carried out."
        case .erasure: "The customer's data was erased: delete your copies, except what a legal hold of your own keeps, and acknowledge."
        }
    }
}