import ConsentryCore
import ConsentryStore
import ConsentryUseCases
import Hummingbird
import Logging
import ConsentryRecords

/// Turns every error into an RFC 7807 response, so clients always get the same shape and
/// internal errors never leak details (they are logged by type only).
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            return try Self.problem(for: error, logger: context.logger).response(from: request, context: context)
        }
    }

    static func code(for status: HTTPResponse.Status) -> String {
        switch status {
        case .notFound: "not_found"
        case .methodNotAllowed: "method_not_allowed"
        case .contentTooLarge: "body_too_large"
        case .unsupportedMediaType: "unsupported_media_type"
        default: "http_\(status.code)"
        }
    }

    static func problem(for error: any Error, logger: Logger) -> ProblemDetails {
        switch error {
        case let problem as ProblemDetails:
            return problem
        case let error as UseCaseError:
            return ProblemDetails(error)
        case let error as ValidationError:
            return ProblemDetails(status: .unprocessableContent, code: "validation_failed", detail: "the input has \(error.issues.count) invalid field(s)", issues: error.issues)
        case let error as DecodingError:
            let issues = ValidationError(decoding: error).issues
            return ProblemDetails(status: .badRequest, code: "malformed_body", detail: "the body does not match the expected JSON", issues: issues)
        case let error as StoreError where error.code == .duplicateExternalId || error.code == .duplicateLoginSubject:
            return ProblemDetails(status: .conflict, code: error.code.rawValue, detail: error.message)
        case let error as StoreError where error.code == .auditTampered:
            // Fail closed: nothing is served whose audit entry cannot be written honestly.
            logger.critical("audit trail refused", metadata: ["error.code": "\(error.code)"])
            return ProblemDetails(status: .serviceUnavailable, code: "audit_unavailable", detail: "the audit trail cannot be extended; the operator has been alerted")
        case let error as HTTPError:
            return ProblemDetails(status: error.status, code: code(for: error.status), detail: error.body)
        case let error as any HTTPResponseError:
            let detail = error.status == .contentTooLarge ? "request bodies are limited to 64 KiB" : nil
            return ProblemDetails(status: error.status, code: code(for: error.status), detail: detail)
        default:
            // The type name only: an error's description might hold more than it should.
            logger.error("unhandled error", metadata: ["error.type": "\(type(of: error))"])
            return ProblemDetails(status: .internalServerError, code: "internal_error", detail: "an internal error occurred; it has been logged")
        }
    }
}
