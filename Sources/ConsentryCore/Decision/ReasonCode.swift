/// Why a request or a field got the treatment it got. Stable strings: modules branch on them,
/// the audit stores them, customers see them on their dashboard.
public enum ReasonCode: String, Sendable, CaseIterable, Codable, Comparable {
    // Request level: the module may not do this at all (HTTP 403).
    case moduleUnknown = "MODULE_UNKNOWN"
    case purposeUnknown = "PURPOSE_UNKNOWN"
    case purposeNotAllowedForModule = "PURPOSE_NOT_ALLOWED_FOR_MODULE"
    case operationNotAllowed = "OPERATION_NOT_ALLOWED"
    case categoryNotUpdatable = "CATEGORY_NOT_UPDATABLE"
    // Customer level: this customer's state stops the purpose (every field withheld).
    case noConsent = "NO_CONSENT"
    case consentRefused = "CONSENT_REFUSED"
    case consentWithdrawn = "CONSENT_WITHDRAWN"
    case consentExpired = "CONSENT_EXPIRED"
    case objection = "OBJECTION"
    case restricted = "RESTRICTED"
    case retentionOver = "RETENTION_OVER"
    case erased = "ERASED"
    case optedOutOfSaleOrSharing = "OPTED_OUT_OF_SALE_OR_SHARING"
    case sensitiveUseLimited = "SENSITIVE_USE_LIMITED"
    // Field level.
    case categoryNotInPurpose = "CATEGORY_NOT_IN_PURPOSE"
    case maskedByPolicy = "MASKED_BY_POLICY"
    case permitted = "PERMITTED"

    public static func < (lhs: ReasonCode, rhs: ReasonCode) -> Bool { lhs.rawValue < rhs.rawValue }

    /// One sentence for people (problem details, `policy explain`, the dashboard).
    public var explanation: String {
        switch self {
        case .moduleUnknown: "the calling module is not in the current policy"
        case .purposeUnknown: "the declared purpose is not in the current policy"
        case .purposeNotAllowedForModule: "the module is not allowed this purpose"
        case .operationNotAllowed: "the module is not allowed this operation"
        case .categoryNotUpdatable: "the module may not change this data category"
        case .noConsent: "the purpose needs consent and the customer has not given it"
        case .consentRefused: "the customer refused consent for this purpose"
        case .consentWithdrawn: "the customer withdrew consent for this purpose"
        case .consentExpired: "the customer's consent for this purpose has expired"
        case .objection: "the customer objected to processing for this purpose"
        case .restricted: "processing of this customer's data is restricted"
        case .retentionOver: "the purpose's retention period for this customer is over"
        case .erased: "the customer was erased; what remains is kept under a legal obligation, for that purpose only"
        case .optedOutOfSaleOrSharing: "the customer opted out of the sale and sharing of their personal information"
        case .sensitiveUseLimited: "the customer limited the use of their sensitive personal information"
        case .categoryNotInPurpose: "the purpose does not use this data category"
        case .maskedByPolicy: "the purpose may see this data category only masked"
        case .permitted: "the purpose may use this data category"
        }
    }
}
