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

    /// TM Forum style event types (`<Resource><Change>Event`).
    public enum EventType: String, Sendable, CaseIterable {
        case consentChange = "ConsentChangeEvent"
        case objectionChange = "ObjectionChangeEvent"
        case restrictionChange = "ProcessingRestrictionChangeEvent"
        case rectification = "CustomerAttributeValueChangeEvent"
        case erasureRequest = "ErasureRequestCreateEvent"
        /// The erasure was carried out: delete your copies, except what `held` keeps.
        case erasure = "CustomerErasureEvent"
    }

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
    public func isVisible(to module: ModuleProfile) -> Bool {
        guard let purpose else { return true }
        return module.purposes.contains(purpose)
    }

    /// The TMF event envelope that is POSTed to subscribers.
    public func envelope(sequence: Int64) -> JSONValue {
        var body: [(String, JSONValue)] = [
            ("customer", .object([("id", .string(customerID)), ("href", .string("/tmf-api/customerManagement/v4/customer/\(customerID)"))])),
        ]
        if let purpose { body.append(("purpose", .string(purpose))) }
        if let state { body.append(("state", .string(state))) }
        if !fields.isEmpty { body.append(("fields", .array(fields.map { .string($0) }))) }
        if let requestID { body.append(("dataSubjectRequest", .object([("id", .string(requestID))]))) }
        var envelope: [(String, JSONValue)] = [
            ("eventId", .string(id)),
            ("eventTime", .string(ISOTimestamp.format(occurredAt))),
            ("eventType", .string(type.rawValue)),
            ("domain", .string("privacyManagement")),
            ("sequence", .int(Int(sequence))),
        ]
        if let correlationID { envelope.append(("correlationId", .string(correlationID))) }
        envelope.append(("event", .object(body)))
        return .object(envelope)
    }
}
