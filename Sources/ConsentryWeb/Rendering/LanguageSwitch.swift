import ConsentryHTTP
import Hummingbird

/// The language switch on every page: a link with `?lang=de` (or `en`) keeps the choice in
/// a cookie and shows the same page again without the parameter.
struct LanguageSwitch: RouterMiddleware {
    typealias Context = ConsentryRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method == .get, let chosen = request.uri.queryParameters["lang"].flatMap({ WebLanguage(rawValue: String($0)) }) else {
            return try await next(request, context)
        }
        var response = Response(status: .seeOther, headers: [.location: request.uri.path])
        response.setCookie(Cookie(
            name: WebLanguage.cookieName, value: chosen.rawValue, maxAge: 365 * 86_400, path: "/", secure: WebSessions.isSecure(request),
            httpOnly: true, sameSite: .lax))
        return response
    }
}
