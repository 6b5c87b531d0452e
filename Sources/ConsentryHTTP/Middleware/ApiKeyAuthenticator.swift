import ConsentryStore
import HTTPTypes
import Hummingbird

/// Requires `Authorization: Bearer <api key>` of one of `kinds`. A missing, malformed,
/// unknown or revoked key is 401; a valid key of another kind (an operator key on the data
/// API) is 403.
struct ApiKeyAuthenticator: RouterMiddleware {
    typealias Context = ConsentryRequestContext
    let keys: ApiKeyStore
    let kinds: Set<Principal.Kind>

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer "), header.count > 7 else {
            throw Self.unauthorized("send an API key as Authorization: Bearer <key>")
        }
        guard let principal = try await keys.authenticate(String(header.dropFirst(7))) else {
            throw Self.unauthorized("the API key is unknown or revoked")
        }
        guard kinds.contains(principal.kind) else {
            throw ProblemDetails(
                status: .forbidden, code: "wrong_principal",
                detail: "this API is for \(kinds.map(\.rawValue).sorted().joined(separator: " or ")) keys, not \(principal.kind.rawValue) keys")
        }
        var context = context
        context.principal = principal
        return try await next(request, context)
    }

    static func unauthorized(_ detail: String) -> ProblemDetails {
        var problem = ProblemDetails(status: .unauthorized, code: "unauthorized", detail: detail)
        problem.headers = [.wwwAuthenticate: "Bearer realm=\"consentry\""]
        return problem
    }
}
