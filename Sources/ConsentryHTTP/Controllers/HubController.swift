import ConsentryCore
import ConsentryCrypto
import ConsentryPolicy
import ConsentryStore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The TMF event hub for modules, under `/tmf-api/privacyManagement/v4`:
/// - `POST /hub` registers a callback (and a `query` filter); the answer carries, once, the
///   secret that signs every delivery to it;
/// - `GET /hub`, `GET /hub/{id}`, `DELETE /hub/{id}`: the module's own subscriptions only;
/// - `POST /event/{eventId}/acknowledgement`: the module states it acted on an event (an
///   erasure carried out, a campaign list purged); recorded once, audited.
struct HubController {
    let apiKeys: ApiKeyStore
    let auditLog: AuditLog
    let delivery: DeliverySettings
    let eventHub: EventHub
    let keys: KeyProvider
    let policies: PolicyRegistry
    let requests: DataSubjectRequestStore
    static let base = "/tmf-api/privacyManagement/v4"

    func addRoutes(to router: Router<ConsentryRequestContext>) {
        let group = router.group("tmf-api/privacyManagement/v4").add(middleware: ApiKeyAuthenticator(keys: apiKeys, kinds: [.module]))
        group.post("hub", use: subscribe)
        group.get("hub", use: list)
        group.get("hub/{id}", use: get)
        group.delete("hub/{id}", use: unsubscribe)
        group.post("event/{eventId}/acknowledgement", use: acknowledge)
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

    @Sendable func subscribe(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        try PrivacyManagementController.only(request, [])
        let module = try moduleProfile(context)
        let body = try await request.body.collect(upTo: context.maxUploadSize)
        let registration = try JSONDecoder().decode(Registration.self, from: Data(body.readableBytesView))
        try await checkCallback(registration.callback, module: module)
        let query = registration.query ?? ""
        let filter: EventFilter
        do { filter = try EventFilter(query: query) } catch {
            throw ProblemDetails(status: .unprocessableContent, code: "validation_failed", detail: "query: \(error.message)",
                                 issues: [ValidationIssue(path: "query", code: "invalid_query", message: error.message)])
        }
        // A module hears only of purposes it holds; asking for others is refused, and audited.
        if let foreign = filter.purposes?.subtracting(module.purposes).sorted().first {
            try await auditLog.record(AuditEvent(
                actor: AuditActor(.module, module.id), action: .accessDenied, purpose: foreign, fields: ["operation:subscribe"], outcome: "denied",
                reasons: [ReasonCode.purposeNotAllowedForModule.rawValue], policyVersion: policies.policy.version, requestID: context.requestID))
            var problem = ProblemDetails(status: .forbidden, code: "access_denied", detail: ReasonCode.purposeNotAllowedForModule.explanation)
            problem.reason = ReasonCode.purposeNotAllowedForModule.rawValue
            throw problem
        }
        let subscription = try await eventHub.subscribe(moduleID: module.id, callback: registration.callback, query: query)
        try await auditLog.record(AuditEvent(
            actor: AuditActor(.module, module.id), action: .subscriptionCreated, fields: ["subscription:\(subscription.id)"], outcome: "succeeded",
            policyVersion: policies.policy.version, requestID: context.requestID))
        let secret = try keys.current.webhookSecret(subscriptionID: subscription.id)
        var json = Self.json(subscription)
        json.set("secret", .string(Data(secret.unsafeCopy).base64EncodedString()))
        json.set("signature", .string("\(EventSignature.header): t=<unix seconds>,v1=<hex HMAC-SHA256(base64-decoded secret, t + \".\" + body)>"))
        var response = Response.json(json)
        response.status = .created
        response.headers[.location] = "\(Self.base)/hub/\(subscription.id)"
        response.headers[.cacheControl] = "no-store"
        return response
    }

    @Sendable func list(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        try PrivacyManagementController.only(request, [])
        let module = try moduleProfile(context)
        let subscriptions = try await eventHub.subscriptions(moduleID: module.id)
        var response = Response.json(.array(subscriptions.map(Self.json)))
        response.headers[.totalCount] = String(subscriptions.count)
        response.headers[.resultCount] = String(subscriptions.count)
        return response
    }

    @Sendable func get(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        try PrivacyManagementController.only(request, [])
        let module = try moduleProfile(context)
        // Another module's subscription is as absent as a missing one.
        guard let subscription = try await eventHub.subscription(id: try context.parameters.require("id")), subscription.moduleID == module.id else {
            throw ProblemDetails(status: .notFound, code: "not_found", detail: "no subscription of yours with this id")
        }
        return Response.json(Self.json(subscription))
    }

    @Sendable func unsubscribe(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        try PrivacyManagementController.only(request, [])
        let module = try moduleProfile(context)
        let id = try context.parameters.require("id")
        guard try await eventHub.unsubscribe(id: id, moduleID: module.id) else {
            throw ProblemDetails(status: .notFound, code: "not_found", detail: "no subscription of yours with this id")
        }
        try await auditLog.record(AuditEvent(
            actor: AuditActor(.module, module.id), action: .subscriptionDeleted, fields: ["subscription:\(id)"], outcome: "succeeded",
            policyVersion: policies.policy.version, requestID: context.requestID))
        return Response(status: .noContent)
    }

    @Sendable func acknowledge(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        try PrivacyManagementController.only(request, [])
        let module = try moduleProfile(context)
        let eventID = try context.parameters.require("eventId")
        let result = try await eventHub.acknowledge(eventID: eventID, moduleID: module.id, requestID: context.requestID)
        let at: Date
        var response: Response
        switch result {
        case .unknownEvent:
            throw ProblemDetails(status: .notFound, code: "not_found", detail: "no event with this id was sent to you")
        case .recorded(let when):
            at = when
            try await auditLog.record(AuditEvent(
                actor: AuditActor(.module, module.id), action: .eventAcknowledged, fields: ["event:\(eventID)"], outcome: "succeeded",
                policyVersion: policies.policy.version, requestID: context.requestID))
            response = Response(status: .created)
            // The last acknowledgement an erasure request waited for completes it.
            if let completed = try await requests.completeIfAcknowledged(eventID: eventID) {
                try await auditLog.record(AuditEvent(
                    actor: AuditActor(.system, "events"), action: .requestStatus, customerID: completed.customerID,
                    fields: ["request:\(completed.id)", "from:awaiting_modules", "to:completed"], outcome: "succeeded",
                    policyVersion: policies.policy.version, requestID: context.requestID))
            }
        case .alreadyRecorded(let when):
            at = when
            response = Response(status: .ok)
        }
        let body = Response.json(.object([
            ("eventId", .string(eventID)), ("module", .string(module.id)), ("acknowledgedAt", .string(ISOTimestamp.format(at))),
        ]))
        response.headers = body.headers
        response.body = body.body
        return response
    }

    static func json(_ subscription: EventSubscription) -> JSONValue {
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
        switch scheme {
        case "https": break
        case "http":
            let loopback = host == "localhost" || host == "::1" || host == "[::1]" || host.hasPrefix("127.")
            guard loopback || delivery.allowPlainHTTPCallbacks else {
                throw invalid("https is required (plain http only to loopback, or with serve --allow-http-callbacks)")
            }
        default:
            throw invalid("an absolute http or https URL")
        }
        let loopbackName = host == "localhost" || host == "::1" || host == "[::1]" || host.hasPrefix("127.")
        if loopbackName, let own = delivery.serverPort, (url.port ?? (scheme == "https" ? 443 : 80)) == own {
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
        let active = try await eventHub.subscriptions(moduleID: module.id).count
        guard active < delivery.maxSubscriptionsPerModule else {
            throw ProblemDetails(status: .conflict, code: "too_many_subscriptions",
                                 detail: "a module holds at most \(delivery.maxSubscriptionsPerModule) subscriptions; end one first")
        }
    }
}
