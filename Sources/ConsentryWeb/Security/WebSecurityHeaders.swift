import ConsentryHTTP
import HTTPTypes
import Hummingbird

/// What every web page is sent with: a Content-Security-Policy that allows the server's own
/// scripts and styles and nothing inline, no framing, no referrer, no caching of pages that
/// show personal data. A form posted from another origin is refused before any handler runs
/// (the CSRF token is checked too; this is the second lock).
struct WebSecurityHeaders: RouterMiddleware {
    typealias Context = ConsentryRequestContext

    static let contentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; "
        + "frame-ancestors 'none'; base-uri 'none'"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if request.method == .post, let origin = request.headers[.origin], !Self.sameOrigin(origin, request: request) {
            var response = WebPageError.plain(status: .forbidden, "This form was sent from another site and was refused.")
            Self.apply(to: &response)
            return response
        }
        var response = try await next(request, context)
        Self.apply(to: &response)
        return response
    }

    static func apply(to response: inout Response) {
        response.headers[.contentSecurityPolicy] = contentSecurityPolicy
        response.headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        response.headers[.xContentTypeOptions] = "nosniff"
        // Not `no-referrer`: under it browsers send `Origin: null` with every form, and the
        // origin check above could not tell our own forms from forged ones. No URL of these
        // pages carries personal data, and nothing goes to other sites.
        response.headers[HTTPField.Name("Referrer-Policy")!] = "same-origin"
        response.headers[HTTPField.Name("Cross-Origin-Opener-Policy")!] = "same-origin"
        response.headers[HTTPField.Name("Permissions-Policy")!] = "camera=(), microphone=(), geolocation=(), interest-cohort=()"
        if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "no-store" }
    }

    /// `Origin` names this server (scheme aside: a TLS proxy may sit in front).
    static func sameOrigin(_ origin: String, request: Request) -> Bool {
        guard let authority = request.head.authority?.lowercased() else { return false }
        let host = origin.lowercased().split(separator: "/", omittingEmptySubsequences: true).dropFirst().first.map(String.init)
        return host == authority
    }
}
