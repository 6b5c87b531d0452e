import ConsentryCore
import ConsentryPolicy
import ConsentryStore
import ConsentryUseCases
import Foundation
import Hummingbird
import NIOCore
import ConsentryRecords

/// The privacy dashboard (`/self/v1/me/dashboard`): what is held, by category and the
/// purposes that use it; each purpose with its basis and the customer's standing; who read
/// which categories for which purpose and when (from the audit trail); open requests;
/// purposes whose notice changed since the customer consented.
struct DashboardController {
    let auditLog: AuditLog
    let consents: ConsentLedger
    let database: AppDatabase
    let policies: PolicyRegistry
    let requests: DataSubjectRequestStore
    let transparency: TransparencyLog
    let optOuts: OptOutRights

    func addRoutes(to group: RouterGroup<ConsentryRequestContext>) {
        group.get(use: dashboard)
        group.get("access", use: access)
        group.get("access/{entry}/proof", use: proof)
    }

    @Sendable func dashboard(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        guard let customer = try await context.signedIn?.customer() else { throw ApiKeyAuthenticator.unauthorized("not signed in") }
        let policy = policies.policy
        let language = customer.profile.preferredLanguage
        guard let (state, _) = try await consents.privacyState(customerID: customer.id) else { throw ProblemDetails(status: .notFound, code: "not_found") }
        let now = Date()

        let dataHeld: [JSONValue] = HeldData(of: customer, policy: policy).categories.map { held in
            .object([
                ("category", .string(held.category)),
                ("description", .string(held.description)),
                ("fields", .array(held.fields.map { .string($0.rawValue) })),
                ("usedBy", .array(held.purposes.map { .string($0.id) })),
            ])
        }
        let jurisdiction = policy.jurisdiction(for: state.residence)
        let standings = policy.purposes.values.sorted { $0.id < $1.id }.map {
            ($0, ConsentStanding(purpose: $0, state: state, now: now, jurisdiction: jurisdiction))
        }
        let optOutRights = try await SelfServiceController.optOutsJSON(customerID: customer.id, language: language, optOuts: optOuts, policies: policies)
        let (total, recent) = try await AuditReader(database: database).entries(
            .init(customerID: customer.id, actorKind: .module, disclosuresOnly: true), offset: 0, limit: 10)
        let open = try await requests.requests(customerID: customer.id).filter { $0.status.isOpen }
        let body = JSONValue.object([
            ("customer", .string(customer.id)),
            ("policyVersion", .string(policy.version)),
            ("restricted", .bool(state.restricted)),
            // The law that applies, and the opt-outs it grants (a GPC signal's shows as channel gpc).
            ("jurisdiction", optOutRights["jurisdiction"] ?? .null),
            ("optOuts", optOutRights["rights"] ?? .array([])),
            ("automatedDecisions", .array(standings.compactMap { purpose, _ in
                purpose.automatedDecision.map { automated in
                    .object([
                        ("purpose", .string(purpose.id)), ("name", .string(purpose.name.text(for: language))),
                        ("logic", .string(automated.logic.text(for: language))), ("significance", .string(automated.significance.text(for: language))),
                    ])
                }
            })),
            ("dataHeld", .array(dataHeld)),
            ("purposes", .array(standings.map { SelfServiceController.purposeJSON($0.0, standing: $0.1, language: language) })),
            ("reconsentNeeded", .array(standings.filter { $0.1.reconsentNeeded }.map { .string($0.0.id) })),
            ("openRequests", .array(open.map { SelfServiceController.requestJSON($0, duplicate: nil) })),
            ("accessHistory", .object([
                ("total", .int(total)), ("href", .string("/self/v1/me/dashboard/access")),
                ("recent", .array(recent.map { access($0, policy: policy, language: language) })),
            ])),
        ])
        try await audit(context, action: .selfDashboard)
        return Response.json(body)
    }

    /// The access history, newest first, filterable by `module`, `purpose`, `from`, `to`
    /// (ISO 8601), paged with `offset` and `limit` and counted in `X-Total-Count`.
    @Sendable func access(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        guard let customer = try await context.signedIn?.customer() else { throw ApiKeyAuthenticator.unauthorized("not signed in") }
        let query = request.uri.queryParameters
        for (name, _) in query where !["module", "purpose", "from", "to", "offset", "limit"].contains(String(name)) {
            throw GuardedCustomerController.badParameter("unknown query parameter \"\(name)\"; this route takes from, limit, module, offset, purpose, to")
        }
        let offset = try GuardedCustomerController.integer(query["offset"], name: "offset", default: 0, range: 0...Int.max)
        let limit = try GuardedCustomerController.integer(query["limit"], name: "limit", default: 50, range: 1...500)
        let filter = AuditReader.Filter(
            customerID: customer.id, actorKind: .module, actorID: query["module"].map(String.init), purpose: query["purpose"].map(String.init),
            from: try GuardedCustomerController.timestamp(query["from"], name: "from"),
            to: try GuardedCustomerController.timestamp(query["to"], name: "to"), disclosuresOnly: true)
        let (total, entries) = try await AuditReader(database: database).entries(filter, offset: offset, limit: limit)
        let policy = policies.policy
        var response = Response.json(.array(entries.map { access($0, policy: policy, language: customer.profile.preferredLanguage) }))
        response.headers[.totalCount] = String(total)
        response.headers[.resultCount] = String(entries.count)
        return response
    }

    /// The proof that entry `{entry}` of the customer's access history is in the transparency
    /// log: the entry, its salt, its audit path and a signed tree head that covers it. Any
    /// other entry, or another customer's, is the same 404.
    @Sendable func proof(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        guard let customerID = context.signedIn?.id else { throw ApiKeyAuthenticator.unauthorized("not signed in") }
        let seq = try GuardedCustomerController.integer(context.parameters.get("entry").map { Substring($0) }, name: "entry", default: 0, range: 1...Int.max)
        guard let document = try await TransparencyDocuments.inclusion(seq: Int64(seq), customerID: customerID, log: transparency) else {
            throw ProblemDetails(status: .notFound, code: "not_found", detail: "no entry of your access history has this number")
        }
        return Response.json(document)
    }

    /// One disclosure as the customer reads it: when, which module (and what it is), for
    /// which purpose, which categories it saw (masked ones marked).
    func access(_ entry: AuditReader.Entry, policy: Policy, language: String?) -> JSONValue {
        let (plain, masked) = entry.disclosedCategories(policy: policy)
        let purpose = entry.purpose.flatMap { policy.purposes[$0] }
        return .object([
            ("entry", .int(Int(entry.seq))),
            ("proof", .string("/self/v1/me/dashboard/access/\(entry.seq)/proof")),
            ("at", .string(entry.occurredAt)),
            ("module", .string(entry.actor.id)),
            ("applicationType", .string(policy.modules[entry.actor.id]?.applicationType ?? "")),
            ("purpose", .string(entry.purpose ?? "")),
            ("purposeName", .string(purpose?.name.text(for: language) ?? "")),
            ("action", .string(entry.action)),
            ("categories", .array(plain.map { .string($0) })),
            ("maskedCategories", .array(masked.map { .string($0) })),
        ])
    }

    private func audit(_ context: ConsentryRequestContext, action: AuditAction) async throws {
        guard let customerID = context.signedIn?.id else { return }
        try await auditLog.record(AuditEvent(
            actor: AuditActor(.customer, customerID), action: action, customerID: customerID, outcome: "succeeded",
            policyVersion: policies.policy.version, requestID: context.requestID))
    }
}
