import ConsentryCore
import ConsentryCrypto
import ConsentryPolicy
import ConsentryStore
import ConsentryUseCases
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ConsentryRecords

/// The TMF event hub for modules, under `/tmf-api/privacyManagement/v4`:
/// - `POST /hub` registers a callback (and a `query` filter); the answer carries, once, the
///   secret that signs every delivery to it;
/// - `GET /hub`, `GET /hub/{id}`, `DELETE /hub/{id}`: the module's own subscriptions only;
/// - `POST /event/{eventId}/acknowledgement`: the module states it acted on an event (an
///   erasure carried out, a campaign list purged); recorded once, audited.
struct HubController {
    let apiKeys: ApiKeyStore
    let delivery: DeliverySettings
    let policies: PolicyRegistry
    let subscriptions: EventSubscriptions
    static let base = "/tmf-api/privacyManagement/v4"

    /// TMF629's and TMF632's hubs: the same subscriptions, by default to the customer events
    /// (a party is announced through its customer: they are one record in Consentry).
    static let customerHubs = ["/tmf-api/customerManagement/v4", "/tmf-api/party/v4"]
    static let customerEvents = "CustomerAttributeValueChangeEvent,CustomerStateChangeEvent,CustomerDeleteEvent"

    func addRoutes(to router: Router<ConsentryRequestContext>) {
        let authenticator = ApiKeyAuthenticator(keys: apiKeys, kinds: [.module])
        let group = router.group(RouterPath(String(Self.base.dropFirst()))).add(middleware: authenticator)
        group.post("hub", use: { request, context in try await self.subscribe(request, context, base: Self.base, defaultQuery: "") })
        group.get("hub", use: list)
        group.get("hub/{id}", use: get)
        group.delete("hub/{id}", use: unsubscribe)
        group.post("event/{eventId}/acknowledgement", use: acknowledge)
        for base in Self.customerHubs {
            let hub = router.group(RouterPath(String(base.dropFirst()))).add(middleware: authenticator)
            hub.post("hub", use: { request, context in
                try await self.subscribe(request, context, base: base, defaultQuery: "eventType=\(Self.customerEvents)")
            })
            hub.delete("hub/{id}", use: unsubscribe)
        }
    }

    struct Registration: Decodable {
        var callback: String
        var query: String?

        enum CodingKeys: String, CodingKey, CaseIterable { case callback, query, type = "@type" }

        init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(allowed: CodingKeys.names())
            let c = try decoder.container(keyedBy: CodingKeys.self)
            try c.rejectNulls()
            callback = try c.decode(String.self, forKey: .callback)
            query = try c.decodeIfPresent(String.self, forKey: .query)
            _ = try c.decodeIfPresent(String.self, forKey: .type)  // accepted for TMF clients, but only as a string
        }
    }

    /// - Parameter defaultQuery: the filter of a hub that serves one API's events, used when
    ///   the registration names no `eventType`.
    func subscribe(_ request: Request, _ context: ConsentryRequestContext, base: String, defaultQuery: String) async throws -> Response {
        try PrivacyManagementController.only(request, [])
        let module = try moduleProfile(context)
        let body = try await request.body.collect(upTo: context.maxUploadSize)
        let registration = try JSONDecoder().decode(Registration.self, from: Data(body.readableBytesView))
        try await checkCallback(registration.callback, module: module)
        var query = registration.query ?? ""
        if !defaultQuery.isEmpty, !query.contains("eventType=") { query = query.isEmpty ? defaultQuery : "\(defaultQuery)&\(query)" }
        let (subscription, secret) = try await subscriptions.subscribe(
            module: module, callback: registration.callback, query: query, requestID: context.requestID)
        var json = Self.json(subscription, base: base)
        json.set("secret", .string(Data(secret.unsafeCopy).base64EncodedString()))
        json.set("signature", .string("\(EventSignature.header): t=<unix seconds>,v1=<hex HMAC-SHA256(base64-decoded secret, t + \".\" + body)>"))
        var response = Response.json(json)
        response.status = .created
        response.headers[.location] = "\(base)/hub/\(subscription.id)"
        response.headers[.cacheControl] = "no-store"
        return response
    }

    @Sendable func list(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        try PrivacyManagementController.only(request, [])
        let found = try await subscriptions.subscriptions(of: try moduleProfile(context))
        var response = Response.json(.array(found.map { Self.json($0) }))
        response.headers[.totalCount] = String(found.count)
        response.headers[.resultCount] = String(found.count)
        return response
    }

    @Sendable func get(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        try PrivacyManagementController.only(request, [])
        return Response.json(Self.json(try await subscriptions.subscription(id: try context.parameters.require("id"), of: try moduleProfile(context))))
    }

    @Sendable func unsubscribe(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        try PrivacyManagementController.only(request, [])
        try await subscriptions.unsubscribe(id: try context.parameters.require("id"), of: try moduleProfile(context), requestID: context.requestID)
        return Response(status: .noContent)
    }

    @Sendable func acknowledge(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        try PrivacyManagementController.only(request, [])
        let module = try moduleProfile(context)
        let eventID = try context.parameters.require("eventId")
        let (at, now) = try await subscriptions.acknowledge(eventID: eventID, by: module, requestID: context.requestID)
        var response = Response.json(.object([
            ("eventId", .string(eventID)), ("module", .string(module.id)), ("acknowledgedAt", .string(ISOTimestamp.format(at))),
        ]))
        response.status = now ? .created : .ok
        return response
    }

    static func json(_ subscription: EventSubscription, base: String = base) -> JSONValue {
        .object([
            ("id", .string(subscription.id)), ("href", .string("\(base)/hub/\(subscription.id)")), ("@type", .string("EventSubscription")),
            ("callback", .string(subscription.callback)), ("query", .string(subscription.query)),
            ("createdAt", .string(ISOTimestamp.format(subscription.createdAt))),
        ])
    }

    /// The calling module's policy profile; a key for a module the policy does not know gets 403.
    private func moduleProfile(_ context: ConsentryRequestContext) throws -> ModuleProfile {
        guard let principal = context.principal else { throw ApiKeyAuthenticator.unauthorized("no credential") }
        guard let module = policies.policy.modules[principal.id] else {
            var problem = ProblemDetails(status: .forbidden, code: "access_denied", detail: ReasonCode.moduleUnknown.explanation)
            problem.reason = ReasonCode.moduleUnknown.rawValue
            throw problem
        }
        return module
    }

    /// An absolute http(s) URL (plain http only to loopback unless the operator allows it),
    /// to a host the module's `callbackHosts` names, resolving to no internal address unless
    /// the operator allows the host. Checked again before each delivery (`CallbackAddress`).
    private func checkCallback(_ callback: String, module: ModuleProfile) async throws {
        func invalid(_ message: String) -> ProblemDetails {
            ProblemDetails(status: .unprocessableContent, code: "validation_failed", detail: "callback: \(message)",
                           issues: [ValidationIssue(path: "callback", code: "invalid_callback", message: message)])
        }
        guard callback.count <= 2048, let url = URL(string: callback), let scheme = url.scheme?.lowercased(), let host = url.host, !host.isEmpty else {
            throw invalid("an absolute http or https URL")
        }
        guard url.user == nil, url.password == nil else { throw invalid("no credentials in the URL; deliveries are signed") }
        let loopback = host == "localhost" || host == "::1" || host == "[::1]" || host.hasPrefix("127.")
        switch scheme {
        case "https": break
        case "http":
            guard loopback || delivery.allowPlainHTTPCallbacks else {
                throw invalid("https is required (plain http only to loopback, or with serve --allow-http-callbacks)")
            }
        default:
            throw invalid("an absolute http or https URL")
        }
        if loopback, let own = delivery.serverPort, (url.port ?? (scheme == "https" ? 443 : 80)) == own {
            throw invalid("the callback points at Consentry itself")
        }
        guard module.callbackHosts.contains(where: { $0.matches(host) }) else {
            throw invalid("the policy does not list this host among the module's callbackHosts")
        }
        do {
            _ = try await CallbackAddress.resolve(host: host, allowed: delivery.internalCallbackHosts)
        } catch let refused as CallbackAddress.Refused {
            throw invalid(refused.description)
        }
    }
}
