import Foundation

/// Where a customer stands with one purpose, as the customer is shown it: consent state for
/// consent purposes (with expiry and whether the notice changed since), objection for the
/// others.
public struct ConsentStanding: Sendable, Equatable {
    public var status: Status
    public var since: Date?
    public var expiresAt: Date?
    public var noticeVersion: String?
    /// Consent was given under an older notice than the purpose's current one.
    public var reconsentNeeded: Bool
    /// `nil` when the purpose's legal basis does not allow objecting.
    public var objection: Bool?
    /// The opt-out right under which the purpose runs in the customer's jurisdiction, if any:
    /// it needs no consent there, and stops when the customer opts out.
    public var optOut: OptOutRight?

    public enum Status: String, Sendable, Codable {
        case given, refused, withdrawn, expired
        case notGiven = "not_given"
        case notRequired = "not_required"
        case optedOut = "opted_out"
    }

    public init(purpose: Purpose, state: CustomerPrivacyState, now: Date, jurisdiction: Jurisdiction? = nil) {
        objection = purpose.legalBasis.allowsObjection ? state.objections.contains(purpose.id) : nil
        if let right = jurisdiction?.optOut(covering: purpose.id) {
            optOut = right
            reconsentNeeded = false
            if let consent = state.consents[purpose.id], consent.status != .given {
                status = consent.status == .refused ? .refused : .withdrawn
                since = consent.since
            } else {
                status = state.optOuts.contains(right) ? .optedOut : .notRequired
            }
            return
        }
        guard purpose.legalBasis == .consent else {
            status = .notRequired
            reconsentNeeded = false
            return
        }
        guard let consent = state.consents[purpose.id] else {
            status = .notGiven
            reconsentNeeded = false
            return
        }
        since = consent.since
        noticeVersion = consent.noticeVersion
        expiresAt = DecisionEngine.consentExpiry(consent, settings: purpose.consent)
        switch consent.status {
        case .given: status = (expiresAt.map { $0 <= now } ?? false) ? .expired : .given
        case .refused: status = .refused
        case .withdrawn: status = .withdrawn
        }
        reconsentNeeded = status == .given && consent.noticeVersion != purpose.noticeVersion
    }
}
