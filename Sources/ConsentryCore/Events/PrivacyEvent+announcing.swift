extension PrivacyEvent {
    /// The announcement of a consent, objection or restriction change.
    public init(announcing change: ConsentEvent, correlationID: String?) {
        let type: EventType
        let state: String
        switch change.kind {
        case .given, .refused, .withdrawn:
            type = .consentChange
            state = change.kind.rawValue
        case .objection, .objectionWithdrawn:
            type = .objectionChange
            state = change.kind == .objection ? "objected" : "objection_withdrawn"
        case .optOut, .optOutWithdrawn:
            type = .optOutChange
            state = change.kind == .optOut ? "opted_out" : "opted_in"
        case .restriction, .restrictionLifted:
            type = .restrictionChange
            state = change.kind == .restriction ? "restricted" : "lifted"
        }
        self.init(
            type: type, customerID: change.customerID, purpose: change.purpose, state: state, occurredAt: change.occurredAt,
            correlationID: correlationID)
    }

    /// The announcement of a filed erasure request: customer-wide, whatever purpose it names.
    public init(announcingErasure request: DataSubjectRequest, correlationID: String?) {
        self.init(
            type: .erasureRequest, customerID: request.customerID, state: request.status.rawValue,
            requestID: request.id, occurredAt: request.receivedAt, correlationID: correlationID)
    }
}
