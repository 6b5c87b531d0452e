import ConsentryCore
import ConsentryPolicy
import ConsentryStore
import ConsentryUseCases
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ConsentryRecords

/// Officers' reports and audit search under `/compliance/v1` (officer keys only). Every
/// report comes as JSON, readable HTML or (its tables) CSV, by `format=`. Generating a report
/// about a customer is itself audited.
struct ReportsController {
    let apiKeys: ApiKeyStore
    let reporting: ComplianceReporting
    let reports: ComplianceReports
    let database: AppDatabase
    let keys: KeyProvider

    func addRoutes(to router: Router<ConsentryRequestContext>) {
        let group = router.group("compliance/v1").add(middleware: ApiKeyAuthenticator(keys: apiKeys, kinds: [.officer]))
        group.get("reports/record-of-processing", use: recordOfProcessing)
        group.get("reports/access/{customerId}", use: access)
        group.get("reports/erasure/{customerId}", use: erasure)
        group.get("reports/consents", use: consents)
        group.get("reports/requests", use: requests)
        group.get("consents", use: consentList)
        group.get("audit", use: audit)
        group.get("audit/verify", use: verify)
    }

    @Sendable func recordOfProcessing(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        try PrivacyManagementController.only(request, ["format"])
        return try Self.render(reporting.recordOfProcessing(), request)
    }

    @Sendable func access(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        try PrivacyManagementController.only(request, ["format"])
        let report = try await reporting.access(customerID: try context.parameters.require("customerId"), by: try officer(context), requestID: context.requestID)
        return try Self.render(report, request)
    }

    @Sendable func erasure(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        try PrivacyManagementController.only(request, ["format"])
        let report = try await reporting.erasure(customerID: try context.parameters.require("customerId"), by: try officer(context), requestID: context.requestID)
        return try Self.render(report, request)
    }

    @Sendable func consents(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        try PrivacyManagementController.only(request, ["format", "purpose", "status", "channel", "from", "to"])
        return try Self.render(try await reporting.consents(try consentFilter(request)), request)
    }

    @Sendable func requests(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        try PrivacyManagementController.only(request, ["format"])
        return try Self.render(try await reporting.requests(), request)
    }

    /// Per-customer consent state, a page at a time (JSON, or CSV with `format=csv`); the
    /// whole export is `consentry report consents --csv FILE`.
    @Sendable func consentList(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        try PrivacyManagementController.only(request, ["format", "purpose", "status", "offset", "limit"])
        let query = request.uri.queryParameters
        let offset = try GuardedCustomerController.integer(query["offset"], name: "offset", default: 0, range: 0...Int.max)
        let limit = try GuardedCustomerController.integer(query["limit"], name: "limit", default: 100, range: 1...10_000)
        let (total, rows) = try await reports.consentPage(try consentFilter(request), offset: offset, limit: limit)
        let columns = ["customer_id", "purpose", "state", "since", "expires_at", "notice_version", "objection"]
        var response: Response
        switch query["format"] ?? "json" {
        case "json":
            response = Response.json(.array(rows.map { row in .object(zip(columns, row).map { ($0, .string($1)) }) }))
        case "csv":
            let document = ReportDocument(kind: "consents", title: "", generatedAt: Date(), sections: [.init(title: "", content: .table(columns: columns, rows: rows))])
            response = Response(status: .ok, headers: [.contentType: "text/csv; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: document.csv)))
        default:
            throw GuardedCustomerController.badParameter("format must be json or csv")
        }
        response.headers[.totalCount] = String(total)
        response.headers[.resultCount] = String(rows.count)
        return response
    }

    /// Audit search: by customer, module (or any actor id), purpose and time, newest first.
    @Sendable func audit(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        try PrivacyManagementController.only(request, ["customer", "actor", "module", "purpose", "from", "to", "offset", "limit"])
        let query = request.uri.queryParameters
        let offset = try GuardedCustomerController.integer(query["offset"], name: "offset", default: 0, range: 0...Int.max)
        let limit = try GuardedCustomerController.integer(query["limit"], name: "limit", default: 50, range: 1...500)
        let filter = AuditReader.Filter(
            customerID: query["customer"].map(String.init), actorKind: query["module"] != nil ? .module : nil,
            actorID: (query["module"] ?? query["actor"]).map(String.init), purpose: query["purpose"].map(String.init),
            from: try GuardedCustomerController.timestamp(query["from"], name: "from"), to: try GuardedCustomerController.timestamp(query["to"], name: "to"))
        let (total, entries) = try await AuditReader(database: database).entries(filter, offset: offset, limit: limit)
        var response = Response.json(.array(entries.map { entry in
            var members: [(String, JSONValue)] = [
                ("seq", .int(Int(entry.seq))), ("occurredAt", .string(entry.occurredAt)), ("actor", .string(entry.actor.description)),
                ("action", .string(entry.action)), ("outcome", .string(entry.outcome)),
                ("fields", .array(entry.fields.map { .string($0) })), ("reasons", .array(entry.reasons.map { .string($0) })),
            ]
            if let customer = entry.customerID { members.append(("customer", .string(customer))) }
            if let purpose = entry.purpose { members.append(("purpose", .string(purpose))) }
            if let version = entry.policyVersion { members.append(("policyVersion", .string(version))) }
            if let id = entry.requestID { members.append(("requestId", .string(id))) }
            return .object(members)
        }))
        response.headers[.totalCount] = String(total)
        response.headers[.resultCount] = String(entries.count)
        return response
    }

    /// Verifies the whole chain and its signed checkpoints now.
    @Sendable func verify(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        try PrivacyManagementController.only(request, [])
        let report = try await AuditVerifier(database: database, keys: keys).verify()
        var members: [(String, JSONValue)] = [
            ("intact", .bool(report.isIntact)), ("entries", .int(Int(report.entries))), ("checkpoints", .int(report.checkpoints)),
            ("head", .string("\(report.headSeq):\(report.headHash)")),
        ]
        if let problem = report.problem {
            members.append(("firstBadEntry", .int(Int(problem.seq))))
            members.append(("problem", .string("\(problem.kind.rawValue): \(problem.detail)")))
        }
        return Response.json(.object(members))
    }

    // MARK: Helpers

    private func consentFilter(_ request: Request) throws -> ComplianceReports.ConsentFilter {
        let query = request.uri.queryParameters
        let status = try query["status"].map { text in
            guard let status = ConsentStatus(rawValue: String(text)) else { throw GuardedCustomerController.badParameter("status must be given, refused or withdrawn") }
            return status
        }
        let channel = try query["channel"].map { text in
            guard let channel = ConsentEvent.Channel(rawValue: String(text)) else {
                throw GuardedCustomerController.badParameter("channel must be one of \(ConsentEvent.Channel.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return channel
        }
        return ComplianceReports.ConsentFilter(
            purpose: query["purpose"].map(String.init), status: status, channel: channel,
            from: try GuardedCustomerController.timestamp(query["from"], name: "from"), to: try GuardedCustomerController.timestamp(query["to"], name: "to"))
    }

    private func officer(_ context: ConsentryRequestContext) throws -> AuditActor {
        guard let principal = context.principal else { throw ApiKeyAuthenticator.unauthorized("no credential") }
        return AuditActor(.officer, principal.id)
    }

    static func render(_ report: ReportDocument, _ request: Request) throws -> Response {
        switch request.uri.queryParameters["format"] ?? "json" {
        case "json": return Response.json(report.json)
        case "html":
            return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: report.html)))
        case "csv":
            return Response(
                status: .ok, headers: [.contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"\(report.kind).csv\""],
                body: .init(byteBuffer: ByteBuffer(string: report.csv)))
        default:
            throw GuardedCustomerController.badParameter("format must be json, html or csv")
        }
    }
}
