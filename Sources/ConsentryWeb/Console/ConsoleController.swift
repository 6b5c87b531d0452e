import ConsentryCore
import ConsentryHTTP
import ConsentryPolicy
import ConsentryRecords
import ConsentryStore
import ConsentryUseCases
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The compliance console under `/console`, for officers (requests, reports, audit) and
/// operators (event delivery): pages over the same use cases as `/compliance/v1` and
/// `/admin/v1/events`.
///
/// | Route | Method | Who | What |
/// |---|---|---|---|
/// | `/console` | GET | anyone | sign-in with an officer's or operator's API key |
/// | `/console/sign-in`, `/console/sign-out` | POST | | the key is exchanged for a session |
/// | `/console/requests` | GET, POST | officer | the queue by due date, with charts; file a request |
/// | `/console/requests/{id}` | GET | officer | verify, extend, reject, carry out erasure, acknowledgements |
/// | `/console/requests/{id}/status`, `…/extension`, `…/erasure` | POST | officer | the workflow |
/// | `/console/reports` | GET | officer | reports, consent over time |
/// | `/console/reports/{kind}` | GET, POST | officer | a report in the page, or as HTML, CSV, JSON |
/// | `/console/audit` | GET | officer | audit search; `POST /console/audit/verify` (officer, operator) |
/// | `/console/events` | GET | officer, operator | delivery health, dead letters; requeue (operator) |
///
/// Sign-in: the key is checked once, then only a session cookie (`consentry_console`)
/// travels; the key is never stored in the browser. Every POST carries the session's CSRF
/// token.
struct ConsoleController: Sendable {
    let apiKeys: ApiKeyStore
    let requests: DataSubjectRequestStore
    let requestFiling: RequestFiling
    let workflow: RequestWorkflow
    let eraser: CustomerEraser
    let reporting: ComplianceReporting
    let reports: ComplianceReports
    let eventHub: EventHub
    let outbox: EventOutbox
    let auditLog: AuditLog
    let database: AppDatabase
    let keys: KeyProvider
    let policies: PolicyRegistry
    let sessions: WebSessions
    let renderer: PageRenderer
    var now: @Sendable () -> Date = { Date() }

    static let pageSize = 50

    func addRoutes(to router: Router<ConsentryRequestContext>) {
        let group = router.group("console")
            .add(middleware: WebSecurityHeaders())
            .add(middleware: WebErrorPages(renderer: renderer, template: "console-error", signInPath: "/console"))
        group.get(use: home)
        group.post("sign-in", use: signIn)
        group.post("sign-out", use: signOut)
        group.get("requests", use: queue)
        group.post("requests", use: file)
        group.get("requests/{id}", use: requestPage)
        group.post("requests/{id}/status", use: changeStatus)
        group.post("requests/{id}/extension", use: extend)
        group.post("requests/{id}/erasure", use: erase)
        group.get("reports", use: reportsPage)
        group.get("reports/{kind}", use: report)
        group.post("reports/{kind}", use: report)
        group.get("audit", use: auditPage)
        group.post("audit/verify", use: verifyAudit)
        group.get("events", use: eventsPage)
        group.post("events/requeue", use: requeue)
    }

    // MARK: Sign-in

    struct SignedIn {
        var token: String
        var principal: Principal
        var csrf: String { CSRFToken.forSession(token) }
    }

    @Sendable func home(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        if let signedIn = try await current(request) {
            return Response(status: .seeOther, headers: [.location: signedIn.principal.kind == .officer ? "/console/requests" : "/console/events"])
        }
        return try signInPage(request)
    }

    func signInPage(_ request: Request, error: String? = nil, status: HTTPResponse.Status = .ok) throws -> Response {
        var cookies = Response(status: status)
        let token = try WebSessions.signInToken(request, path: "/console", on: &cookies)
        var values: [String: Any] = ["csrf": token]
        if let error { values["error"] = error }
        if request.uri.queryParameters["done"] == "signed_out" { values["notice"] = "You are signed out." }
        var page = renderer.page("console-sign-in", values, language: .en, status: status)
        for cookie in cookies.headers[values: .setCookie] { page.headers.append(HTTPField(name: .setCookie, value: cookie)) }
        return page
    }

    @Sendable func signIn(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        let form = try await FormBody(request)
        guard CSRFToken.matches(form[CSRFToken.formField], cookie: request.cookies[CSRFToken.cookieName]?.value) else { throw WebPageError.csrf }
        guard let principal = try await apiKeys.authenticate(form["key"]?.trimmingCharacters(in: .whitespaces) ?? ""),
            principal.kind == .officer || principal.kind == .operator
        else {
            return try signInPage(request, error: "This key is not a valid officer's or operator's key.", status: .unauthorized)
        }
        try await auditLog.record(AuditEvent(
            actor: AuditActor(principal.kind == .officer ? .officer : .operator, principal.id), action: .consoleSignIn, outcome: "succeeded",
            policyVersion: policies.policy.version, requestID: context.requestID))
        var response = Response(status: .seeOther, headers: [.location: principal.kind == .officer ? "/console/requests" : "/console/events"])
        _ = try await sessions.start(principal.kind == .officer ? .officer : .operator, subject: principal.id, replacing: request, on: &response)
        return response
    }

    @Sendable func signOut(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        let signedIn = try await require(request, [.officer, .operator])
        _ = try await form(request, signedIn)
        var response = Response(status: .seeOther, headers: [.location: "/console?done=signed_out"])
        try await sessions.end(request, on: &response)
        return response
    }

    // MARK: Helpers

    func current(_ request: Request) async throws -> SignedIn? {
        guard let (token, session) = try await sessions.current(request) else { return nil }
        switch session.kind {
        case .officer: return SignedIn(token: token, principal: Principal(kind: .officer, id: session.subject))
        case .operator: return SignedIn(token: token, principal: Principal(kind: .operator, id: session.subject))
        default: return nil
        }
    }

    /// The signed-in officer or operator, if of one of `kinds`; else the sign-in page, or 403.
    func require(_ request: Request, _ kinds: Set<Principal.Kind>) async throws -> SignedIn {
        guard let signedIn = try await current(request) else { throw WebRedirect(location: "/console") }
        guard kinds.contains(signedIn.principal.kind) else {
            throw WebPageError.text(.forbidden, "This page is for \(kinds.map(\.rawValue).sorted().joined(separator: " and ")) keys.")
        }
        return signedIn
    }

    func form(_ request: Request, _ signedIn: SignedIn) async throws -> FormBody {
        let form = try await FormBody(request)
        guard CSRFToken.matches(form[CSRFToken.formField], sessionToken: signedIn.token) else { throw WebPageError.csrf }
        return form
    }

    /// Navigation, role and the CSRF token for every signed-in page.
    func common(_ signedIn: SignedIn, page: String, request: Request) -> [String: Any] {
        var values: [String: Any] = [
            "signed_in": true, "csrf": signedIn.csrf, "nav_\(page)": true, "principal": signedIn.principal.id,
            "officer": signedIn.principal.kind == .officer, "operator": signedIn.principal.kind == .operator,
        ]
        if let done = request.uri.queryParameters["done"], let notice = Self.notices[String(done)] { values["notice"] = notice }
        return values
    }

    static let notices = [
        "filed": "The request is filed.", "duplicate": "This customer already has such a request open: here it is.",
        "status": "The request moved on.", "extended": "The deadline is extended; the reason is recorded.",
        "erased": "The erasure is carried out. Modules are told and must acknowledge.", "requeued": "Dead letters are back in the queue.",
    ]

    func page(_ template: String, _ values: [String: Any], status: HTTPResponse.Status = .ok) -> Response {
        renderer.page(template, values, language: .en, status: status)
    }

    /// `2026-12-02` (UTC).
    static func date(_ date: Date) -> String { String(ISOTimestamp.format(date).prefix(10)) }

    /// `2026-12-02 06:40 UTC`.
    static func dateTime(_ date: Date) -> String {
        ISOTimestamp.format(date).prefix(16).replacingOccurrences(of: "T", with: " ") + " UTC"
    }
}
