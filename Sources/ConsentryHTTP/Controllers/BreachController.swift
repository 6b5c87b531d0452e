import ConsentryCore
import ConsentryRecords
import ConsentryStore
import ConsentryUseCases
import Foundation
import Hummingbird

/// The breach register under `/compliance/v1/breaches` (officer keys only): record a breach
/// and find the customers it affected, follow the authority's clock, record the notification
/// and the decision to tell the customers, and get the record, the affected customers and the
/// letters as JSON, HTML or CSV.
struct BreachController {
    let apiKeys: ApiKeyStore
    let breaches: BreachRegister

    func addRoutes(to router: Router<ConsentryRequestContext>) {
        let group = router.group("compliance/v1/breaches").add(middleware: ApiKeyAuthenticator(keys: apiKeys, kinds: [.officer]))
        group.post(use: record)
        group.get(use: list)
        group.get("{id}", use: show)
        group.get("{id}/customers", use: customers)
        group.get("{id}/letters", use: letters)
        group.post("{id}/authority-notification", use: authorityNotified)
        group.post("{id}/customer-notification", use: decide)
        group.post("{id}/customers-notified", use: customersNotified)
    }

    struct Report: Decodable {
        var title: String
        var description: String
        var discoveredAt: String
        var occurredFrom: String?
        var occurredUntil: String?
        var categories: [String]?
        var consequences: String
        var measures: String
        var affected: Affected

        struct Affected: Decodable {
            var module: String?
            var from: String?
            var until: String?
            var customers: [String]?

            enum CodingKeys: String, CodingKey, CaseIterable { case module, from, until, customers }

            init(from decoder: any Decoder) throws {
                try decoder.rejectUnknownKeys(allowed: CodingKeys.names())
                let c = try decoder.container(keyedBy: CodingKeys.self)
                module = try c.decodeIfPresent(String.self, forKey: .module)
                from = try c.decodeIfPresent(String.self, forKey: .from)
                until = try c.decodeIfPresent(String.self, forKey: .until)
                customers = try c.decodeIfPresent([String].self, forKey: .customers)
            }
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case title, description, discoveredAt, occurredFrom, occurredUntil, categories, consequences, measures, affected
        }

        init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(allowed: CodingKeys.names())
            let c = try decoder.container(keyedBy: CodingKeys.self)
            title = try c.decode(String.self, forKey: .title)
            description = try c.decode(String.self, forKey: .description)
            discoveredAt = try c.decode(String.self, forKey: .discoveredAt)
            occurredFrom = try c.decodeIfPresent(String.self, forKey: .occurredFrom)
            occurredUntil = try c.decodeIfPresent(String.self, forKey: .occurredUntil)
            categories = try c.decodeIfPresent([String].self, forKey: .categories)
            consequences = try c.decode(String.self, forKey: .consequences)
            measures = try c.decode(String.self, forKey: .measures)
            affected = try c.decode(Affected.self, forKey: .affected)
        }
    }

    @Sendable func record(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        let body = try await request.body.collect(upTo: context.maxUploadSize)
        let report = try JSONDecoder().decode(Report.self, from: Data(body.readableBytesView))
        let affected: BreachRegister.Report.Affected
        switch (report.affected.module, report.affected.customers) {
        case (let module?, nil):
            affected = .moduleReads(
                module: module, from: try Self.date(report.affected.from, "affected.from"), until: try Self.date(report.affected.until, "affected.until"))
        case (nil, let ids?): affected = .customers(ids)
        default:
            throw ProblemDetails(
                status: .unprocessableContent, code: "validation_failed", detail: "say who is affected: a module's reads in a window, or a list",
                issues: [ValidationIssue(path: "affected", code: "one_of", message: "either {module, from, until} or {customers: [ids]}")])
        }
        let overview = try await breaches.record(
            BreachRegister.Report(
                title: report.title, description: report.description, discoveredAt: try Self.date(report.discoveredAt, "discoveredAt"),
                occurredFrom: try report.occurredFrom.map { try Self.date($0, "occurredFrom") },
                occurredUntil: try report.occurredUntil.map { try Self.date($0, "occurredUntil") }, categories: report.categories ?? [],
                consequences: report.consequences, measures: report.measures, affected: affected),
            officer: try officer(context), requestID: context.requestID)
        var response = Response.json(Self.json(overview))
        response.status = .created
        response.headers[.location] = "/compliance/v1/breaches/\(overview.breach.id)"
        return response
    }

    @Sendable func list(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        try PrivacyManagementController.only(request, [])
        return Response.json(.array(try await breaches.list().map { Self.json($0) }))
    }

    @Sendable func show(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        try PrivacyManagementController.only(request, ["format"])
        let overview = try await breaches.overview(id: try context.parameters.require("id"))
        if (request.uri.queryParameters["format"] ?? "json") == "json" { return Response.json(Self.json(overview)) }
        return try ReportsController.render(overview.report(), request)
    }

    @Sendable func customers(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        try PrivacyManagementController.only(request, ["format"])
        let id = try context.parameters.require("id")
        let overview = try await breaches.overview(id: id)
        return try ReportsController.render(.breachCustomers(overview.breach, affected: try await breaches.affected(id: id)), request)
    }

    @Sendable func letters(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        try PrivacyManagementController.only(request, ["format"])
        let id = try context.parameters.require("id")
        let overview = try await breaches.overview(id: id)
        let (letters, unaddressable) = try await breaches.letters(id: id, markSent: false, officer: try officer(context), requestID: context.requestID)
        return try ReportsController.render(.breachLetters(overview.breach, letters: letters, unaddressable: unaddressable), request)
    }

    @Sendable func authorityNotified(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        let body = try await Self.object(request, context, allowed: ["notifiedAt", "reference"])
        let at = try (body["notifiedAt"] as? String).map { try Self.date($0, "notifiedAt") } ?? Date()
        let overview = try await breaches.authorityNotified(
            id: try context.parameters.require("id"), at: at, reference: body["reference"] as? String, officer: try officer(context),
            requestID: context.requestID)
        return Response.json(Self.json(overview))
    }

    @Sendable func decide(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        let body = try await Self.object(request, context, allowed: ["notify", "reason"])
        guard let notify = body["notify"] as? Bool else {
            throw ProblemDetails(
                status: .unprocessableContent, code: "validation_failed", detail: "say whether the customers are told",
                issues: [ValidationIssue(path: "notify", code: "required", message: "true or false")])
        }
        let overview = try await breaches.decideCustomerNotification(
            id: try context.parameters.require("id"), notify: notify, reason: body["reason"] as? String ?? "", officer: try officer(context),
            requestID: context.requestID)
        return Response.json(Self.json(overview))
    }

    @Sendable func customersNotified(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        let id = try context.parameters.require("id")
        let (letters, _) = try await breaches.letters(id: id, markSent: true, officer: try officer(context), requestID: context.requestID)
        var body = Self.json(try await breaches.overview(id: id))
        body.set("lettersWritten", .int(letters.count))
        return Response.json(body)
    }

    static func json(_ overview: BreachRegister.Overview, now: Date = Date()) -> JSONValue {
        let breach = overview.breach
        func date(_ value: Date?) -> JSONValue { value.map { .string(ISOTimestamp.format($0)) } ?? .null }
        var authority: [(String, JSONValue)] = [
            ("notifiedAt", date(breach.authorityNotifiedAt)), ("reference", breach.authorityReference.map(JSONValue.string) ?? .null),
            ("clocks", .array(overview.clocks.map { clock in
                .object([
                    ("jurisdiction", .string(clock.jurisdiction.id)), ("law", .string(clock.jurisdiction.law)),
                    ("authority", .string(clock.jurisdiction.supervisoryAuthority)), ("affected", .int(clock.affected)),
                    ("dueAt", date(clock.dueAt)), ("overdue", .bool(clock.isOverdue(notifiedAt: breach.authorityNotifiedAt, at: now))),
                ])
            })),
        ]
        if let hours = overview.hoursLeft(at: now) { authority.append(("hoursLeft", .int(hours))) }
        return .object([
            ("id", .string(breach.id)), ("href", .string("/compliance/v1/breaches/\(breach.id)")), ("title", .string(breach.title)),
            ("description", .string(breach.description)), ("discoveredAt", date(breach.discoveredAt)),
            ("occurredFrom", date(breach.occurredFrom)), ("occurredUntil", date(breach.occurredUntil)),
            ("categories", .array(breach.categories.map { .string($0) })),
            ("affected", .object([("count", .int(overview.affectedCount)), ("selection", .string(breach.selection.summary))])),
            ("consequences", .string(breach.consequences)), ("measures", .string(breach.measures)),
            ("authority", .object(authority)),
            ("customerNotification", .object([
                ("decision", breach.customerNotification.map { .string($0.notify ? "notify" : "do_not_notify") } ?? .null),
                ("reason", breach.customerNotification.map { .string($0.reason) } ?? .null),
                ("decidedBy", breach.customerNotification.map { .string($0.decidedBy) } ?? .null),
                ("decidedAt", date(breach.customerNotification?.decidedAt)), ("notifiedAt", date(breach.customersNotifiedAt)),
            ])),
            ("recordedBy", .string(breach.recordedBy)), ("recordedAt", date(breach.recordedAt)),
        ])
    }

    static func date(_ text: String?, _ path: String) throws -> Date {
        guard let text, let date = ISODate.parseDateOrDateTime(text) else {
            throw ProblemDetails(
                status: .unprocessableContent, code: "validation_failed", detail: "\(path) must be a date-time such as 2026-12-01T09:30:00Z",
                issues: [ValidationIssue(path: path, code: "invalid_date", message: "an RFC 3339 date-time")])
        }
        return date
    }

    /// A small JSON object body with only `allowed` keys (an empty body is an empty object).
    static func object(_ request: Request, _ context: ConsentryRequestContext, allowed: Set<String>) async throws -> [String: Any] {
        let body = try await request.body.collect(upTo: context.maxUploadSize)
        guard body.readableBytes > 0 else { return [:] }
        guard let object = try? JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any] else {
            throw ProblemDetails(status: .badRequest, code: "malformed_body", detail: "send a JSON object")
        }
        if let key = object.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw ProblemDetails(
                status: .badRequest, code: "malformed_body", detail: "unknown member \(key)",
                issues: [ValidationIssue(path: key, code: "unknown", message: "allowed: " + allowed.sorted().joined(separator: ", "))])
        }
        return object
    }

    private func officer(_ context: ConsentryRequestContext) throws -> String {
        guard let principal = context.principal else { throw ApiKeyAuthenticator.unauthorized("no credential") }
        return principal.id
    }
}
