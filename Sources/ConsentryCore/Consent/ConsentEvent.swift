import Foundation

/// One thing a customer (or someone for them) expressed about a purpose.
public struct ConsentEvent: Sendable, Equatable {
    public var customerID: String
    /// `nil` only for restriction events, which cover every purpose.
    public var purpose: String?
    public var kind: Kind
    public var occurredAt: Date
    public var channel: Channel
    public var expressedBy: ExpressedBy
    /// Who recorded it for the customer: the agent's id, or the guardian's customer id when
    /// the guardian signed in themselves; `nil` when the customer acted.
    public var actorID: String?
    public var noticeVersion: String?
    public var expiresAt: Date?
    /// A reference to evidence kept elsewhere (call recording id, signed form number...).
    public var evidence: String?

    public enum Kind: String, Sendable, CaseIterable, Codable {
        case given, refused, withdrawn, objection
        case objectionWithdrawn = "objection_withdrawn"
        case restriction
        case restrictionLifted = "restriction_lifted"
        /// An opt-out right exercised (`purpose` holds the right, such as `sale-sharing`), or withdrawn.
        case optOut = "opt_out"
        case optOutWithdrawn = "opt_out_withdrawn"

        /// Restrictions cover every purpose; everything else names one.
        public var needsPurpose: Bool { self != .restriction && self != .restrictionLifted }
    }

    public enum Channel: String, Sendable, CaseIterable, Codable {
        case web, app
        case callCentre = "call_centre"
        case retail, ivr, email, sms, migration
        /// A Global Privacy Control signal (`Sec-GPC: 1`) the customer's browser sent.
        case gpc
    }

    public enum ExpressedBy: String, Sendable, CaseIterable, Codable {
        case customer, guardian, agent
    }

    public init(
        customerID: String, purpose: String?, kind: Kind, occurredAt: Date = Date(), channel: Channel, expressedBy: ExpressedBy = .customer,
        actorID: String? = nil, noticeVersion: String? = nil, expiresAt: Date? = nil, evidence: String? = nil
    ) {
        self.customerID = customerID
        self.purpose = purpose
        self.kind = kind
        self.occurredAt = occurredAt
        self.channel = channel
        self.expressedBy = expressedBy
        self.actorID = actorID
        self.noticeVersion = noticeVersion
        self.expiresAt = expiresAt
        self.evidence = evidence
    }
}
