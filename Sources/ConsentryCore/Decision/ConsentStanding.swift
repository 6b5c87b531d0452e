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

    public enum Status: String, Sendable, Codable {
        case given, refused, withdrawn, expired
        case notGiven = "not_given"
        case notRequired = "not_required"
    }

    public init(purpose: Purpose, state: CustomerPrivacyState, now: Date) {
        objection = purpose.legalBasis.allowsObjection ? state.objections.contains(purpose.id) : nil
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
