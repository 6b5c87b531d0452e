public import ConsentryCore

/// Why a use case refused: a kind the adapters map (HTTP status, exit code), a stable code,
/// a message free of personal data, and, for policy refusals, the decision's reason code.
public struct UseCaseError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// The input is wrong (HTTP 422/400, exit 65).
        case invalid
        /// No such customer, purpose, request... for this caller (HTTP 404, exit 66).
        case notFound
        /// Policy or the customer's state refuses it (HTTP 403, exit 77).
        case forbidden
        /// It contradicts the current state (HTTP 409, exit 75).
        case conflict
    }

    public var kind: Kind
    public var code: String
    public var message: String
    public var reason: ReasonCode?
    public var issues: [ValidationIssue]

    public init(_ kind: Kind, code: String, _ message: String, reason: ReasonCode? = nil, issues: [ValidationIssue] = []) {
        self.kind = kind
        self.code = code
        self.message = message
        self.reason = reason
        self.issues = issues
    }

    public var description: String { "\(code): \(message)" }

    static func denied(_ reason: ReasonCode) -> UseCaseError {
        UseCaseError(.forbidden, code: "access_denied", reason.explanation, reason: reason)
    }

    static let customerNotFound = UseCaseError(.notFound, code: "not_found", "no customer with this id")
}
