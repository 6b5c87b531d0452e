import ConsentryStore
import Foundation
import HTTPTypes
import Hummingbird

/// The cookie side of web sessions: one cookie per surface (`consentry_privacy` on `/privacy`,
/// `consentry_console` on `/console`), `HttpOnly`, `SameSite=Lax` (an OpenID provider's
/// redirect back must carry it), `Secure` unless the browser talks to loopback over plain
/// HTTP. A new token at every sign-in; removed at sign-out.
struct WebSessions: Sendable {
    let store: WebSessionStore
    let cookieName: String
    let path: String

    /// The session of the request's cookie, if live.
    func current(_ request: Request) async throws -> (token: String, session: WebSessionStore.Session)? {
        guard let token = request.cookies[cookieName]?.value, !token.isEmpty else { return nil }
        guard let session = try await store.session(token: token) else { return nil }
        return (token, session)
    }

    /// Starts a session, ending the request's previous one (a token is never reused across a
    /// sign-in: no session fixation), and sets its cookie on `response`.
    func start(_ kind: WebSessionStore.Kind, subject: String, pending: String? = nil, replacing request: Request, on response: inout Response) async throws -> String {
        if let old = request.cookies[cookieName]?.value, !old.isEmpty { try await store.end(token: old) }
        let token = try await store.create(kind: kind, subject: subject, pending: pending)
        response.setCookie(Cookie(
            name: cookieName, value: token, path: path, secure: Self.isSecure(request), httpOnly: true, sameSite: .lax))
        return token
    }

    /// Ends the request's session and clears its cookie.
    func end(_ request: Request, on response: inout Response) async throws {
        if let token = request.cookies[cookieName]?.value, !token.isEmpty { try await store.end(token: token) }
        response.setCookie(Cookie(name: cookieName, value: "", maxAge: 0, path: path, secure: Self.isSecure(request), httpOnly: true, sameSite: .lax))
    }

    /// The pre-sign-in CSRF cookie for a sign-in form: the existing one, or a new one set on `response`.
    static func signInToken(_ request: Request, path: String, on response: inout Response) throws -> String {
        if let existing = request.cookies[CSRFToken.cookieName]?.value, existing.utf8.count >= 32 { return existing }
        let token = try CSRFToken.random()
        response.setCookie(Cookie(
            name: CSRFToken.cookieName, value: token, path: path, secure: isSecure(request), httpOnly: true, sameSite: .strict))
        return token
    }

    /// Cookies are `Secure` except for plain HTTP to a loopback name (the demo on one's own machine).
    static func isSecure(_ request: Request) -> Bool {
        if request.headers[HTTPField.Name("X-Forwarded-Proto")!]?.lowercased() == "https" { return true }
        let authority = (request.head.authority ?? "").lowercased()
        let host: String
        if authority.hasPrefix("[") {
            host = String(authority.dropFirst().prefix { $0 != "]" })
        } else {
            host = String(authority.split(separator: ":").first ?? "")
        }
        return !(host == "localhost" || host == "127.0.0.1" || host == "::1" || host.hasSuffix(".localhost"))
    }
}
