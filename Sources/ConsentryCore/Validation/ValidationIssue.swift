/// One problem with one field of an input, named by its path (`contactMedium[1].characteristic.emailAddress`).
///
/// Messages say what is expected, never echo the value: inputs are personal data.
public struct ValidationIssue: Sendable, Equatable, Codable, CustomStringConvertible {
    public var path: String
    public var code: String
    public var message: String

    public init(path: String, code: String, message: String) {
        self.path = path
        self.code = code
        self.message = message
    }

    public var description: String { "\(path): \(message) [\(code)]" }
}

/// An input rejected for one or more field problems.
public struct ValidationError: Error, Sendable, Equatable, CustomStringConvertible {
    public var issues: [ValidationIssue]

    public init(issues: [ValidationIssue]) { self.issues = issues }

    public var description: String { issues.map(\.description).joined(separator: "; ") }
}
