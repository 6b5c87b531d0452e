import ConsentryCore
import ConsentryPolicy
import ConsentryStore
import Foundation
import Hummingbird
import NIOCore
import ConsentryRecords

/// The operator's view of event delivery, under `/admin/v1/events`: every subscription with
/// its pending, delivered, dead-lettered and acknowledged counts; the deliveries themselves,
/// filtered; and requeueing of dead letters once a receiver is fixed. Events are named by
/// id and type only: no customer appears here.
struct EventAdminController {
    let apiKeys: ApiKeyStore
    let auditLog: AuditLog
    let eventHub: EventHub
    let journal: ChangeJournal
    let policies: PolicyRegistry

    func addRoutes(to router: Router<ConsentryRequestContext>) {
        let admin = router.group("admin/v1/events").add(middleware: ApiKeyAuthenticator(keys: apiKeys, kinds: [.operator]))
        admin.get("subscriptions", use: subscriptions)
        admin.get("deliveries", use: deliveries)
        admin.post("deliveries/requeue", use: requeue)
    }

    @Sendable func subscriptions(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        try PrivacyManagementController.only(request, [])
        let health = try await eventHub.health()
        return Response.json(.array(health.map { item in
            var json = HubController.json(item.subscription)
            json.set("module", .string(item.subscription.moduleID))
            json.set("pending", .int(item.pending))
            json.set("delivered", .int(item.delivered))
            json.set("dead", .int(item.dead))
            json.set("acknowledged", .int(item.acknowledged))
            json.set("oldestPendingSince", item.oldestPendingSince.map { .string(ISOTimestamp.format($0)) } ?? .null)
            json.set("lastResult", item.lastResult.map(JSONValue.string) ?? .null)
            return json
        }))
    }

    @Sendable func deliveries(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        try PrivacyManagementController.only(request, ["status", "subscription", "offset", "limit"])
        let query = request.uri.queryParameters
        var status: DeliveryRecord.Status?
        if let text = query["status"] {
            guard let parsed = DeliveryRecord.Status(rawValue: String(text)) else {
                throw GuardedCustomerController.badParameter("status must be pending, delivered or dead")
            }
            status = parsed
        }
        let offset = try GuardedCustomerController.integer(query["offset"], name: "offset", default: 0, range: 0...Int.max)
        let limit = try GuardedCustomerController.integer(query["limit"], name: "limit", default: 50, range: 1...500)
        let (total, page) = try await eventHub.deliveries(
            status: status, subscriptionID: query["subscription"].map(String.init), offset: offset, limit: limit)
        var response = Response.json(.array(page.map { delivery in
            var members: [(String, JSONValue)] = [
                ("eventSeq", .int(Int(delivery.eventSeq))), ("eventId", .string(delivery.eventID)), ("eventType", .string(delivery.eventType)),
                ("subscription", .string(delivery.subscriptionID)), ("module", .string(delivery.moduleID)), ("status", .string(delivery.status.rawValue)),
                ("attempts", .int(delivery.attempts)),
            ]
            func date(_ name: String, _ value: Date?) { if let value { members.append((name, .string(ISOTimestamp.format(value)))) } }
            date("nextAttemptAt", delivery.nextAttemptAt)
            date("lastAttemptAt", delivery.lastAttemptAt)
            if let result = delivery.lastResult { members.append(("lastResult", .string(result))) }
            date("deliveredAt", delivery.deliveredAt)
            date("acknowledgedAt", delivery.acknowledgedAt)
            return .object(members)
        }))
        response.headers[.totalCount] = String(total)
        response.headers[.resultCount] = String(page.count)
        return response
    }

    /// Dead letters of one subscription (or all) go back in the queue, due now.
    @Sendable func requeue(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        try PrivacyManagementController.only(request, ["subscription"])
        let subscription = request.uri.queryParameters["subscription"].map(String.init)
        let count = try await eventHub.requeueDead(
            subscriptionID: subscription, outbox: journal.outbox, audit: auditLog, actor: AuditActor(.operator, context.principal?.id ?? "unknown"),
            policyVersion: policies.policy.version, requestID: context.requestID)
        return Response.json(.object([("requeued", .int(count))]))
    }
}
