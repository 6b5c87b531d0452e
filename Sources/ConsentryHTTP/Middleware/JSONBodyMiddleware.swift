import ConsentryCore
import Foundation
import HTTPTypes
import Hummingbird

/// Every request body is JSON, said so, and unambiguous: a body sent as anything but a JSON
/// media type (`application/json`, `application/*+json`) is 415, and a JSON object with a
/// key given twice is 400 naming the key's path (parsers disagree on which value wins, so a
/// proxy could see `withdrawn` where Consentry would record `given`).
struct JSONBodyMiddleware: RouterMiddleware {
    typealias Context = ConsentryRequestContext
    /// Path prefixes of surfaces that check their own bodies (the web pages' forms).
    var exempt: [String] = []

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard [.post, .put, .patch].contains(request.method) else { return try await next(request, context) }
        let path = request.uri.path
        if exempt.contains(where: { path == $0 || path.hasPrefix($0 + "/") }) { return try await next(request, context) }
        var request = request
        let body = try await request.collectBody(upTo: context.maxUploadSize)
        guard body.readableBytes > 0 else { return try await next(request, context) }
        guard Self.isJSON(request.headers[.contentType]) else {
            throw ProblemDetails(
                status: .unsupportedMediaType, code: "unsupported_media_type",
                detail: "send the body as application/json")
        }
        if let path = JSONDuplicateKeys.first(in: body.readableBytesView) {
            throw ProblemDetails(
                status: .badRequest, code: "malformed_body", detail: "a key appears twice in the same object",
                issues: [ValidationIssue(path: path, code: "duplicate_key", message: "give each key once")])
        }
        return try await next(request, context)
    }

    static func isJSON(_ contentType: String?) -> Bool {
        guard let contentType else { return false }
        let mediaType = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        return mediaType == "application/json" || (mediaType.hasPrefix("application/") && mediaType.hasSuffix("+json"))
    }
}
