/// The GDPR Art. 6(1) ground a purpose relies on. It decides what the customer's state can
/// change: consent needs a valid consent, legitimate interest and public task yield to an
/// objection, contract, legal obligation and vital interest hold regardless (within retention).
public enum LegalBasis: String, Sendable, CaseIterable, Codable {
    case consent
    case contract
    case legalObligation = "legal_obligation"
    case legitimateInterest = "legitimate_interest"
    case vitalInterest = "vital_interest"
    case publicTask = "public_task"

    /// Art. 21: the data subject may object to processing on these grounds.
    public var allowsObjection: Bool { self == .legitimateInterest || self == .publicTask }

    /// Art. 18(2): restricted data may still be processed to comply with the law or to
    /// protect someone's vital interests; everything else stops while restricted.
    public var survivesRestriction: Bool { self == .legalObligation || self == .vitalInterest }

    /// GDPR article, for reports and customer-facing text.
    public var article: String {
        switch self {
        case .consent: "Art. 6(1)(a)"
        case .contract: "Art. 6(1)(b)"
        case .legalObligation: "Art. 6(1)(c)"
        case .vitalInterest: "Art. 6(1)(d)"
        case .publicTask: "Art. 6(1)(e)"
        case .legitimateInterest: "Art. 6(1)(f)"
        }
    }
}
