import ConsentryCore
import ConsentryHTTP
import ConsentryPolicy
import ConsentryRecords
import ConsentryStore
import ConsentryUseCases
import Foundation
import Logging
import HTTPTypes
import Hummingbird
import NIOCore

/// The customers' privacy center under `/privacy`: server-rendered pages over the same use
/// cases as `/self/v1/me`, every action a form that posts (JavaScript only improves it).
///
/// | Route | Method | What |
/// |---|---|---|
/// | `/privacy` | GET | sign-in, or what is held about me, by category and why; download |
/// | `/privacy/sign-in/demo` | POST | `serve --demo` only: sign in as a synthetic customer |
/// | `/privacy/sign-in/oidc`, `/privacy/sign-in/callback` | GET | OpenID Connect (code + PKCE) |
/// | `/privacy/sign-out` | POST | ends the session |
/// | `/privacy/consents` | GET, POST | one switch per purpose; receipts |
/// | `/privacy/objections`, `/privacy/restriction` | POST | Art. 21 and Art. 18 |
/// | `/privacy/opt-outs` | POST | an opt-out right of the customer's jurisdiction (CPRA) |
/// | `/privacy/receipts/{id}` | GET | a signed receipt (JWS) of mine or my dependant's |
/// | `/privacy/access` | GET | who read my data: filter, pages, a timeline |
/// | `/privacy/access/{entry}/proof` | GET | that entry's inclusion proof in the transparency log (JSON) |
/// | `/privacy/export` | GET | my data as JSON or CSV |
/// | `/privacy/requests` | GET, POST | my requests; file one |
/// | `/privacy/dependants`, `/privacy/dependants/consents` | GET, POST | a guardian's minors |
///
/// Authentication: the `consentry_privacy` session cookie; every POST carries the session's
/// CSRF token. No personal data goes in a URL: customers and dependants are named by the
/// session and by form fields.
struct PrivacyCenterController: Sendable {
    let customers: EncryptedCustomerStore
    let selfManagement: SelfManagement
    let consentChange: ConsentChange
    let requestFiling: RequestFiling
    let requests: DataSubjectRequestStore
    let consents: ConsentLedger
    let guardianship: Guardianship
    let portability: DataPortability
    let policies: PolicyRegistry
    let auditLog: AuditLog
    let eraser: CustomerEraser
    let transparency: TransparencyLog
    let database: AppDatabase
    let sessions: WebSessions
    let renderer: PageRenderer
    let demoCustomers: [DemoCustomer]?
    let openID: OpenIDSignIn?
    let optOuts: OptOutRights

    static let pageSize = 25

    func addRoutes(to router: Router<ConsentryRequestContext>) {
        let group = router.group("privacy")
            .add(middleware: WebSecurityHeaders())
            .add(middleware: LanguageSwitch())
            .add(middleware: WebErrorPages(renderer: renderer, template: "privacy-error", signInPath: "/privacy"))
            .add(middleware: ErasedCustomerPage(controller: self))
        group.get(use: home)
        group.get("sign-in", use: { request, _ in try await self.signInPage(request) })
        group.post("sign-in/demo", use: demoSignIn)
        group.get("sign-in/oidc", use: oidcStart)
        group.get("sign-in/callback", use: oidcCallback)
        group.post("sign-out", use: signOut)
        group.get("consents", use: consentsPage)
        group.post("consents", use: changeConsent)
        group.post("objections", use: objection)
        group.post("restriction", use: restriction)
        group.post("opt-outs", use: optOut)
        group.get("receipts/{id}", use: receipt)
        group.get("access", use: accessPage)
        group.get("access/{entry}/proof", use: accessProof)
        group.get("export", use: export)
        group.get("requests", use: requestsPage)
        group.post("requests", use: fileRequest)
        group.get("dependants", use: dependantsPage)
        group.post("dependants/consents", use: changeDependantConsent)
    }

    // MARK: Sign-in

    @Sendable func home(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        guard let signedIn = try await currentCustomer(request) else { return try await signInPage(request) }
        let customer = try await signedIn.customer.customer()
        let format = WebFormat(WebLanguage.of(request))
        let policy = policies.policy
        let held = HeldData(of: customer, policy: policy)
        let (restricted, standings) = try await selfManagement.standings(of: customer)
        try await auditLog.record(AuditEvent(
            actor: AuditActor(.customer, customer.id), action: .selfRead, customerID: customer.id,
            fields: held.categories.flatMap { $0.fields.map(\.rawValue) }, outcome: "succeeded", policyVersion: policy.version,
            requestID: context.requestID))
        let categories: [[String: Any]] = held.categories.map { category in
            [
                "category": category.category, "description": category.description,
                "values": category.values.map { ["field": $0.field.rawValue, "value": WebFormat.value($0.value)] },
                "purposes": category.purposes.map { purpose in
                    [
                        "name": purpose.name.text(for: format.language.rawValue), "basis": format.legalBasis(purpose.legalBasis),
                        "retention": format.retention(purpose.retention),
                    ]
                },
            ]
        }
        return renderer.page(
            "privacy-overview",
            common(signedIn, page: "overview", request: request).merging([
                "categories": categories, "restricted": restricted,
                "reconsent": standings.contains { $0.standing.reconsentNeeded },
            ]) { $1 }, language: format.language)
    }

    func signInPage(_ request: Request, message: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let language = WebLanguage.of(request)
        var response = Response(status: status)
        let token = try WebSessions.signInToken(request, path: "/privacy", on: &response)
        var values: [String: Any] = ["csrf": token, "oidc": openID != nil, "demo": (demoCustomers ?? []).map(\.values)]
        if openID == nil && demoCustomers == nil { values["unavailable"] = true }
        if let message { values["error"] = WebStrings.table(language)[message] ?? message }
        if request.uri.queryParameters["done"] == "signed_out" { values["notice"] = WebStrings.table(language)["done_signed_out"] }
        var page = renderer.page("privacy-sign-in", values, language: language, status: status)
        for cookie in response.headers[values: .setCookie] { page.headers.append(HTTPField(name: .setCookie, value: cookie)) }
        return page
    }

    @Sendable func demoSignIn(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        guard demoCustomers != nil else { throw WebPageError.text(.notFound, "The demo sign-in is off on this server.") }
        let form = try await FormBody(request)
        guard CSRFToken.matches(form[CSRFToken.formField], cookie: request.cookies[CSRFToken.cookieName]?.value) else { throw WebPageError.csrf }
        let subject = try form.require("subject")
        guard let signedIn = try await customers.signIn(subject: subject) else {
            return try await signInPage(request, message: "signin_unknown", status: .unauthorized)
        }
        var response = Response(status: .seeOther, headers: [.location: "/privacy"])
        _ = try await sessions.start(.customer, subject: signedIn.id, replacing: request, on: &response)
        return response
    }

    @Sendable func oidcStart(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        guard let openID else { throw WebPageError.text(.notFound, "OpenID Connect sign-in is not configured on this server.") }
        let (url, pending) = try await openID.start()
        var response = Response(status: .seeOther, headers: [.location: url])
        let state = String(decoding: try JSONEncoder().encode(pending), as: UTF8.self)
        _ = try await sessions.start(.pendingSignIn, subject: "", pending: state, replacing: request, on: &response)
        return response
    }

    @Sendable func oidcCallback(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        guard let openID else { throw WebPageError.text(.notFound, "OpenID Connect sign-in is not configured on this server.") }
        let query = request.uri.queryParameters
        guard let (_, session) = try await sessions.current(request), session.kind == .pendingSignIn,
            let stored = session.pending, let pending = try? JSONDecoder().decode(OpenIDSignIn.Pending.self, from: Data(stored.utf8)),
            let code = query["code"].map(String.init), let state = query["state"].map(String.init)
        else {
            return try await signInPage(request, message: "signin_failed", status: .badRequest)
        }
        let subject: String
        do {
            subject = try await openID.finish(code: code, state: state, pending: pending)
        } catch let failure as OpenIDSignIn.Failure {
            context.logger.notice("OpenID sign-in refused", metadata: ["reason": "\(failure.description)"])
            return try await signInPage(request, message: "signin_failed", status: .badRequest)
        }
        guard let signedIn = try await customers.signIn(subject: subject) else {
            return try await signInPage(request, message: "signin_unknown", status: .forbidden)
        }
        var response = Response(status: .seeOther, headers: [.location: "/privacy"])
        _ = try await sessions.start(.customer, subject: signedIn.id, replacing: request, on: &response)
        return response
    }

    @Sendable func signOut(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        let (token, _) = try await requireCustomer(request)
        _ = try await form(request, token: token)
        var response = Response(status: .seeOther, headers: [.location: "/privacy?done=signed_out"])
        try await sessions.end(request, on: &response)
        return response
    }

    // MARK: Helpers

    struct SignedIn {
        var token: String
        var customer: SignedInCustomer
    }

    /// The signed-in customer of the request's session, if any.
    /// An erased customer still signed in learns that the erasure is done (from its tombstone,
    /// which holds no personal data), once; the session then ends.
    func currentCustomer(_ request: Request) async throws -> SignedIn? {
        guard let (token, session) = try await sessions.current(request), session.kind == .customer else { return nil }
        guard let customer = try await customers.signedIn(id: session.subject) else {
            if let tombstone = try await eraser.tombstone(customerID: session.subject) {
                throw ErasedCustomer(customerID: session.subject, erasedAt: tombstone.erasedAt)
            }
            return nil
        }
        return SignedIn(token: token, customer: customer)
    }

    /// The signed-in customer, or a redirect to the sign-in page.
    /// The signed-in customer, after honouring a Global Privacy Control signal the browser
    /// sent with this page (`Sec-GPC: 1`) where their jurisdiction attaches an opt-out to it,
    /// as `/self` does; elsewhere nothing is recorded or decrypted.
    func requireCustomer(_ request: Request) async throws -> (String, SignedInCustomer) {
        guard let signedIn = try await currentCustomer(request) else { throw WebRedirect(location: "/privacy") }
        let customer = signedIn.customer
        if OptOutRights.signalled(request.headers[values: HTTPField.Name("Sec-GPC")!]),
            !policies.policy.jurisdiction(for: customer.residence).gpcOptOuts.isEmpty
        {
            _ = try await optOuts.honourGlobalPrivacyControl(
                customerID: customer.id, residence: customer.residence, subject: { try await customer.consentSubject() },
                actor: AuditActor(.customer, customer.id), requestID: UUID().uuidString.lowercased())
        }
        return (signedIn.token, customer)
    }

    /// The posted form, once its CSRF token is the session's.
    func form(_ request: Request, token: String) async throws -> FormBody {
        let form = try await FormBody(request)
        guard CSRFToken.matches(form[CSRFToken.formField], sessionToken: token) else { throw WebPageError.csrf }
        return form
    }

    /// What every signed-in page shows: navigation, the sign-out form's token, a notice.
    func common(_ signedIn: SignedIn, page: String, request: Request) -> [String: Any] {
        let strings = WebStrings.table(WebLanguage.of(request))
        var values: [String: Any] = ["signed_in": true, "csrf": CSRFToken.forSession(signedIn.token), "nav_\(page)": true, "path": "/privacy" + (page == "overview" ? "" : "/\(page)")]
        if let done = request.uri.queryParameters["done"], let notice = strings["done_\(done)"] { values["notice"] = notice }
        if let receipt = request.uri.queryParameters["receipt"], receipt.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }) {
            values["notice_receipt"] = "/privacy/receipts/\(receipt)"
        }
        return values
    }

    func common(_ pair: (String, SignedInCustomer), page: String, request: Request) -> [String: Any] {
        common(SignedIn(token: pair.0, customer: pair.1), page: page, request: request)
    }
}

/// Sends the browser elsewhere (303), from anywhere in a handler.
struct WebRedirect: Error {
    var location: String
}
