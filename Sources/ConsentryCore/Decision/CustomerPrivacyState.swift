import Foundation

/// What a decision needs to know about one customer: relationship, consents, objections and
/// restriction. Derived by the store from the customer row and the consent history.
public struct CustomerPrivacyState: Sendable, Equatable {
    public var customerID: String
    public var status: CustomerStatus
    public var createdAt: Date
    /// When the relationship ended (status `inactive` or `closed`), else `nil`.
    public var relationshipEndedAt: Date?
    /// Purpose id → the customer's current consent for it.
    public var consents: [String: ConsentState]
    /// Purposes the customer objected to (Art. 21).
    public var objections: Set<String>
    /// Art. 18 restriction of processing.
    public var restricted: Bool
    /// When the customer was erased (Art. 17); what is left is under a legal hold.
    public var erasedAt: Date?
    /// Where the customer lives, for the jurisdiction whose law applies.
    public var residence: Residence
    /// Opt-out rights the customer exercised (CPRA "do not sell or share"...).
    public var optOuts: Set<OptOutRight>

    public init(
        customerID: String, status: CustomerStatus, createdAt: Date, relationshipEndedAt: Date? = nil,
        consents: [String: ConsentState] = [:], objections: Set<String> = [], restricted: Bool = false, erasedAt: Date? = nil,
        residence: Residence = Residence(), optOuts: Set<OptOutRight> = []
    ) {
        self.residence = residence
        self.optOuts = optOuts
        self.customerID = customerID
        self.status = status
        self.createdAt = createdAt
        self.relationshipEndedAt = relationshipEndedAt
        self.consents = consents
        self.objections = objections
        self.restricted = restricted
        self.erasedAt = erasedAt
    }
}

/// The current consent of one customer for one purpose, derived from its history.
public struct ConsentState: Sendable, Equatable {
    public var status: ConsentStatus
    public var since: Date
    /// Explicit end of validity from the consent record, if any.
    public var expiresAt: Date?
    public var noticeVersion: String?

    public init(status: ConsentStatus, since: Date, expiresAt: Date? = nil, noticeVersion: String? = nil) {
        self.status = status
        self.since = since
        self.expiresAt = expiresAt
        self.noticeVersion = noticeVersion
    }
}

public enum ConsentStatus: String, Sendable, CaseIterable, Codable {
    case given, refused, withdrawn
}
