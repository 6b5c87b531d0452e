import ConsentryHTTP
import ConsentryStore
import Foundation
import Hummingbird

/// How the web pages sign people in.
public struct WebSettings: Sendable {
    /// The synthetic customers the demo's sign-in page offers; `nil` (production): no demo sign-in.
    public var demoCustomers: [DemoCustomer]?
    /// The operator's OpenID Connect provider for the privacy center; `nil`: none.
    public var openID: OpenIDSettings?
    /// A session ends after this long without a request...
    public var idleTimeout: TimeInterval
    /// ...and this long after sign-in in any case.
    public var absoluteTimeout: TimeInterval

    public init(demoCustomers: [DemoCustomer]? = nil, openID: OpenIDSettings? = nil, idleTimeout: TimeInterval = 30 * 60, absoluteTimeout: TimeInterval = 12 * 3600) {
        self.demoCustomers = demoCustomers
        self.openID = openID
        self.idleTimeout = idleTimeout
        self.absoluteTimeout = absoluteTimeout
    }
}

/// The web pages: the customers' privacy center (`/privacy`), the officers' and operators'
/// console (`/console`), and their stylesheet and script (`/assets`). Mounted beside the
/// JSON APIs by `buildApplication(services:settings:surfaces:)`.
public struct WebPages: HTTPSurface {
    let privacyCenter: PrivacyCenterController
    let console: ConsoleController
    let assets: WebAssets

    public var pathPrefixes: [String] { ["/privacy", "/console", "/assets"] }

    /// Loads the templates and assets (a template that does not parse fails here, at start).
    public static func make(services s: ConsentryServices, settings: WebSettings) async throws -> WebPages {
        let assets = try WebAssets()
        let renderer = try await PageRenderer(assets: assets)
        let store = WebSessionStore(database: s.database, idleTimeout: settings.idleTimeout, absoluteTimeout: settings.absoluteTimeout)
        let privacyCenter = PrivacyCenterController(
            customers: s.customers, selfManagement: s.selfManagement, consentChange: s.consentChange, requestFiling: s.requestFiling,
            requests: s.requests, consents: s.consents, guardianship: s.guardianship, portability: s.portability, policies: s.policies,
            auditLog: s.audit, eraser: s.eraser, transparency: s.transparency, database: s.database, sessions: WebSessions(store: store, cookieName: "consentry_privacy", path: "/privacy"),
            renderer: renderer, demoCustomers: settings.demoCustomers, openID: settings.openID.map { OpenIDSignIn(settings: $0) }, optOuts: s.optOuts)
        let console = ConsoleController(
            apiKeys: s.apiKeys, requests: s.requests, requestFiling: s.requestFiling, workflow: s.workflow, eraser: s.eraser, reporting: s.reporting,
            reports: s.reports, eventHub: s.events, outbox: s.journal.outbox, auditLog: s.audit, database: s.database, keys: s.keys,
            policies: s.policies, sessions: WebSessions(store: store, cookieName: "consentry_console", path: "/console"), renderer: renderer)
        return WebPages(privacyCenter: privacyCenter, console: console, assets: assets)
    }

    public func addRoutes(to router: Router<ConsentryRequestContext>) {
        assets.addRoutes(to: router)
        privacyCenter.addRoutes(to: router)
        console.addRoutes(to: router)
        // The server's root is the privacy center: what a person opening the printed URL wants.
        router.get("/") { _, _ in Response(status: .seeOther, headers: [.location: "/privacy"]) }
    }
}
