import ConsentryCore
import ConsentryUseCases
import Foundation
import Hummingbird
import NIOCore

/// The body of every error response (`Content-Type: application/problem+json`): an RFC 7807
/// problem document that is also a TM Forum `Error` (TMF630), so that both kinds of client
/// read it. The TMF members are derived: `reason` is the decision's reason code when policy
/// refused, otherwise the title; `message` the detail; `referenceError` the problem type;
/// `@type` `Error`. `status` is a string, as TMF types it (RFC 7807 advises a number; a
/// client reads the status line either way): docs/tmf-conformance.md says so.
///
/// `detail` and `issues` never carry submitted values: they name fields and what is wrong.
public struct ProblemDetails: Error, HTTPResponseError, Codable, Sendable, Equatable {
    public var type: String
    public var title: String
    public var status: HTTPResponse.Status
    public var detail: String?
    public var instance: String?
    /// A stable machine-readable code, e.g. `validation_failed`, `not_found`.
    public var code: String
    /// Field-level problems of a rejected input.
    public var issues: [ValidationIssue]?
    /// The decision's reason code when policy refused the request (`PURPOSE_NOT_ALLOWED_FOR_MODULE`...).
    public var reason: String?
    /// Extra response headers (`WWW-Authenticate`...); not part of the body.
    public var headers: HTTPFields = [:]

    public init(status: HTTPResponse.Status, code: String, title: String? = nil, detail: String? = nil, issues: [ValidationIssue]? = nil) {
        self.type = "https://consentry.dev/problems/\(code.replacingOccurrences(of: "_", with: "-"))"
        self.title = title ?? status.reasonPhrase
        self.status = status
        self.detail = detail
        self.code = code
        self.issues = issues
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var problem = self
        // The path is the caller's text: echoed only while it is a path of a sane length.
        problem.instance = problem.instance ?? (request.uri.path.utf8.count <= 256 ? request.uri.path : nil)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var headers = self.headers
        headers[.contentType] = "application/problem+json"
        return Response(
            status: status,
            headers: headers,
            body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(problem))))
    }

    enum CodingKeys: String, CodingKey {
        case type, title, status, detail, instance, code, issues, reason, message, referenceError
        case atType = "@type"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        type = try c.decode(String.self, forKey: .type)
        title = try c.decode(String.self, forKey: .title)
        let statusText = try c.decode(String.self, forKey: .status)
        guard let statusCode = Int(statusText) else {
            throw DecodingError.dataCorruptedError(forKey: .status, in: c, debugDescription: "status is not an HTTP status code")
        }
        status = HTTPResponse.Status(code: statusCode)
        detail = try c.decodeIfPresent(String.self, forKey: .detail)
        instance = try c.decodeIfPresent(String.self, forKey: .instance)
        code = try c.decode(String.self, forKey: .code)
        issues = try c.decodeIfPresent([ValidationIssue].self, forKey: .issues)
        // `reason` carries the title when policy gave no reason code.
        reason = try c.decodeIfPresent(String.self, forKey: .reason).flatMap { $0 == title ? nil : $0 }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(type, forKey: .type)
        try c.encode(title, forKey: .title)
        try c.encode(String(status.code), forKey: .status)
        try c.encodeIfPresent(detail, forKey: .detail)
        try c.encodeIfPresent(instance, forKey: .instance)
        try c.encode(code, forKey: .code)
        try c.encodeIfPresent(issues, forKey: .issues)
        try c.encode(reason ?? title, forKey: .reason)
        try c.encode(detail ?? title, forKey: .message)
        try c.encode(type, forKey: .referenceError)
        try c.encode("Error", forKey: .atType)
    }
}

extension ProblemDetails {
    /// A use case's refusal at the HTTP edge: its kind picks the status, its code, message,
    /// reason and issues are kept.
    init(_ error: UseCaseError) {
        let status: HTTPResponse.Status = switch error.kind {
        case .invalid: error.code == "purpose_required" ? .badRequest : .unprocessableContent
        case .notFound: .notFound
        case .forbidden: .forbidden
        case .conflict: .conflict
        }
        self.init(status: status, code: error.code, detail: error.message, issues: error.issues.isEmpty ? nil : error.issues)
        reason = error.reason?.rawValue
    }
}
