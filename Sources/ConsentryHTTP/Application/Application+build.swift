import Hummingbird
import Logging

/// Where and how the server listens.
public struct ServerSettings: Sendable {
    public var host: String
    public var port: Int
    public var logLevel: Logger.Level
    /// The SQLite file to watch: the server stops if it is replaced (`nil`: PostgreSQL, tests).
    public var databaseFile: String?

    public init(host: String = "127.0.0.1", port: Int = 8080, logLevel: Logger.Level = .info, databaseFile: String? = nil) {
        self.host = host
        self.port = port
        self.logLevel = logLevel
        self.databaseFile = databaseFile
    }
}

/// Builds the HTTP application, with the event deliverer and the retention sweep running
/// beside it; `consentry serve` and the tests both call this.
public func buildApplication(services: ConsentryServices, settings: ServerSettings, surfaces: [any HTTPSurface] = []) -> some ApplicationProtocol {
    var logger = Logger(label: "consentry")
    logger.logLevel = settings.logLevel
    return Application(
        router: buildRouter(services: services, surfaces: surfaces),
        configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: "consentry"),
        services: [
            EventDeliverer(services: services, logger: logger), SignalListener(services: services, logger: logger),
            KeyHeartbeat(services: services, logger: logger),
        ]
            + (services.retentionInterval.map { [RetentionService(services: services, interval: $0, logger: logger)] } ?? [])
            + (settings.databaseFile.map { [DatabaseFileWatch(path: $0, logger: logger)] } ?? []),
        logger: logger)
}

/// The routes of every surface, behind request-id, metrics and problem-details middleware;
/// `surfaces` (the web pages) are mounted beside the JSON APIs.
public func buildRouter(services: ConsentryServices, surfaces: [any HTTPSurface] = []) -> Router<ConsentryRequestContext> {
    let router = Router(context: ConsentryRequestContext.self)
    router.add(middleware: RequestIDMiddleware())
    router.add(middleware: MetricsMiddleware(registry: services.metrics))
    router.add(middleware: ProblemMiddleware())
    let routes = RouteTable()
    router.add(middleware: MethodNotAllowedMiddleware(table: routes))
    router.add(middleware: JSONBodyMiddleware(exempt: surfaces.flatMap(\.pathPrefixes)))
    HealthController(database: services.database, keys: services.keys).addRoutes(to: router.group("health"))
    MetricsController(metrics: services.metrics, keys: services.keys, database: services.database).addRoutes(to: router)
    OpenAPIController().addRoutes(to: router)
    GuardedCustomerController(
        apiKeys: services.apiKeys, gate: services.gate, reads: services.reads, maintenance: services.maintenance, requestFiling: services.requestFiling)
        .addRoutes(to: router)
    AdminController(apiKeys: services.apiKeys, policies: services.policies, database: services.database, audit: services.audit, metrics: services.metrics).addRoutes(to: router)
    // Each controller gets only what it calls.
    let s = services
    SelfServiceController(
        dashboard: DashboardController(
            auditLog: s.audit, consents: s.consents, database: s.database, policies: s.policies, requests: s.requests, transparency: s.transparency,
            optOuts: s.optOuts),
        dependants: DependantsController(
            consentChange: s.consentChange, guardianship: s.guardianship, selfManagement: s.selfManagement),
        auditLog: s.audit, consentChange: s.consentChange, consentLedger: s.consents, customerTokens: s.customerTokens, customers: s.customers,
        policies: s.policies, portability: s.portability, reader: s.reader, receipts: s.receipts, requestFiling: s.requestFiling,
        requests: s.requests, selfManagement: s.selfManagement, optOuts: s.optOuts
    ).addRoutes(to: router)
    PrivacyManagementController(
        apiKeys: s.apiKeys, consentChange: s.consentChange, customers: s.customers, gate: s.gate, policies: s.policies,
        privacyProfiles: s.privacyProfiles, requestFiling: s.requestFiling, optOuts: s.optOuts
    ).addRoutes(to: router)
    TransparencyController(log: s.transparency).addRoutes(to: router)
    HubController(apiKeys: s.apiKeys, delivery: s.delivery, policies: s.policies, subscriptions: s.subscriptions).addRoutes(to: router)
    EventAdminController(apiKeys: s.apiKeys, auditLog: s.audit, eventHub: s.events, journal: s.journal, policies: s.policies).addRoutes(to: router)
    ComplianceController(
        apiKeys: s.apiKeys, auditLog: s.audit, eventHub: s.events, policies: s.policies, requestFiling: s.requestFiling, requests: s.requests,
        workflow: s.workflow
    ).addRoutes(to: router)
    ReportsController(apiKeys: s.apiKeys, reporting: s.reporting, reports: s.reports, database: s.database, keys: s.keys).addRoutes(to: router)
    BreachController(apiKeys: s.apiKeys, breaches: s.breaches).addRoutes(to: router)
    for surface in surfaces { surface.addRoutes(to: router) }
    routes.fill(from: router)
    return router
}
