/// What happened, as given to `AuditLog.record`. Names fields, never values.
public struct AuditEvent: Sendable, Equatable {
    public var actor: AuditActor
    public var action: AuditAction
    public var customerID: String?
    public var purpose: String?
    /// Field names (`contactMedium.email`...), with their treatment where it matters
    /// (`contactMedium.email:masked`).
    public var fields: [String]
    /// `permitted`, `partial`, `denied`, `succeeded`, `failed`.
    public var outcome: String
    public var reasons: [String]
    public var policyVersion: String?
    public var requestID: String?

    public init(
        actor: AuditActor, action: AuditAction, customerID: String? = nil, purpose: String? = nil, fields: [String] = [],
        outcome: String, reasons: [String] = [], policyVersion: String? = nil, requestID: String? = nil
    ) {
        self.actor = actor
        self.action = action
        self.customerID = customerID
        self.purpose = purpose
        self.fields = fields
        self.outcome = outcome
        self.reasons = reasons
        self.policyVersion = policyVersion
        self.requestID = requestID
    }
}
