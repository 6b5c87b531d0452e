import Foundation
import ConsentryCore
import ConsentryHTTP
import ConsentryUseCases
import HTTPTypes
import Hummingbird
import NIOCore

/// A refusal shown as a page: its status and a message safe to show (no personal data, as
/// every use-case and problem message is written).
struct WebPageError: Error {
    var status: HTTPResponse.Status
    /// A key of `WebStrings` (privacy center), or the message itself (console).
    var message: String
    var isKey: Bool

    static func key(_ status: HTTPResponse.Status, _ key: String) -> WebPageError { WebPageError(status: status, message: key, isKey: true) }
    static func text(_ status: HTTPResponse.Status, _ text: String) -> WebPageError { WebPageError(status: status, message: text, isKey: false) }

    static let csrf = WebPageError.key(.forbidden, "error_csrf")

    /// The page for any error a handler throws: use-case refusals and problems with their
    /// own safe messages, anything else as a bare 500 (logged by the server, not shown).
    static func from(_ error: any Error) -> WebPageError {
        switch error {
        case let error as WebPageError: return error
        case let error as UseCaseError:
            let status: HTTPResponse.Status = switch error.kind {
            case .invalid: .unprocessableContent
            case .notFound: .notFound
            case .forbidden: .forbidden
            case .conflict: .conflict
            }
            return .text(status, error.message)
        case let error as ProblemDetails: return .text(error.status, error.detail ?? error.title)
        case let error as ValidationError: return .text(.unprocessableContent, error.issues.map(\.message).joined(separator: "; "))
        case let error as HTTPError: return .text(error.status, error.body ?? error.status.reasonPhrase)
        default: return .text(.internalServerError, "The server could not do this. The operator can find the cause in its log.")
        }
    }

    /// A minimal page for when the templates cannot be used.
    static func plain(status: HTTPResponse.Status, _ message: String) -> Response {
        let escaped = ReportDocument.escape(message)
        return Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: "<!doctype html><html lang=\"en\"><title>\(status.code)</title><main><h1>\(status.code)</h1><p>\(escaped)</p></main></html>")))
    }
}
