import ConsentryCore
import ConsentryPolicy
import ConsentryStore
import ConsentryUseCases
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ConsentryRecords

/// The compliance officers' API under `/compliance/v1` (officer API keys only): the
/// data-subject requests with their deadlines, their workflow, extensions with a recorded
/// reason, and erasure with its legal holds and the modules' acknowledgements. Reports and
/// audit search are in `ReportsController`. Every officer action is audited.
struct ComplianceController {
    let apiKeys: ApiKeyStore
    let auditLog: AuditLog
    let eventHub: EventHub
    let policies: PolicyRegistry
    let requestFiling: RequestFiling
    let requests: DataSubjectRequestStore
    let workflow: RequestWorkflow
    /// The clock for deadlines and closing times. Deadline logic is tested with fixed dates
    /// on the model and the store (`RequestWorkflowTests`).
    var now: @Sendable () -> Date = { Date() }

    func addRoutes(to router: Router<ConsentryRequestContext>) {
        let group = router.group("compliance/v1").add(middleware: ApiKeyAuthenticator(keys: apiKeys, kinds: [.officer]))
        group.get("requests", use: list)
        group.post("requests", use: file)
        group.get("requests/{id}", use: get)
        group.post("requests/{id}/status", use: changeStatus)
        group.post("requests/{id}/extension", use: extend)
        group.post("requests/{id}/erasure", use: erase)
    }

    @Sendable func list(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        try PrivacyManagementController.only(request, ["status", "type", "overdue", "offset", "limit"])
        let query = request.uri.queryParameters
        let status = try query["status"].map { text in
            guard let value = DataSubjectRequest.Status(rawValue: String(text)) else {
                throw GuardedCustomerController.badParameter("status must be one of \(DataSubjectRequest.Status.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return value
        }
        let type = try query["type"].map { text in
            guard let value = DataSubjectRequest.RequestType(rawValue: String(text)) else {
                throw GuardedCustomerController.badParameter("type must be one of \(DataSubjectRequest.RequestType.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return value
        }
        let overdue: Bool
        switch query["overdue"] {
        case nil, "false": overdue = false
        case "true": overdue = true
        default: throw GuardedCustomerController.badParameter("overdue must be true or false")
        }
        let offset = try GuardedCustomerController.integer(query["offset"], name: "offset", default: 0, range: 0...Int.max)
        let limit = try GuardedCustomerController.integer(query["limit"], name: "limit", default: 50, range: 1...500)
        let now = self.now()
        let (total, page) = try await requests.list(status: status, type: type, overdueAt: overdue ? now : nil, offset: offset, limit: limit)
        var response = Response.json(.array(page.map { Self.json($0, now: now) }))
        response.headers[.totalCount] = String(total)
        response.headers[.resultCount] = String(page.count)
        return response
    }

    struct Filing: Decodable {
        var customerId: String
        var type: DataSubjectRequest.RequestType
        var channel: String
        var identityVerified: Bool
        var purpose: String?

        enum CodingKeys: String, CodingKey, CaseIterable { case customerId, type, channel, identityVerified, purpose }
        init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(allowed: CodingKeys.names())
            let c = try decoder.container(keyedBy: CodingKeys.self)
            try c.rejectNulls()
            customerId = try c.decode(String.self, forKey: .customerId)
            type = try c.decode(DataSubjectRequest.RequestType.self, forKey: .type)
            channel = try c.decodeIfPresent(String.self, forKey: .channel) ?? "letter"
            identityVerified = try c.decodeIfPresent(Bool.self, forKey: .identityVerified) ?? false
            purpose = try c.decodeIfPresent(String.self, forKey: .purpose)
            guard (1...32).contains(channel.count), channel.allSatisfy({ $0.isLetter || $0 == "_" }) else {
                throw DecodingError.dataCorrupted(.init(codingPath: [CodingKeys.channel], debugDescription: "a channel name such as letter, email or call_centre"))
            }
        }
    }

    /// An officer files a request received outside self-service (a letter, an email to the
    /// DPO), recording whether the customer's identity was already verified.
    @Sendable func file(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        try PrivacyManagementController.only(request, [])
        let filing = try await Self.decode(Filing.self, request, context)
        let officer = try officer(context)
        let (stored, duplicate) = try await requestFiling.file(
            customerID: filing.customerId, type: filing.type, purpose: filing.purpose, fields: [], channel: filing.channel, filedBy: .officer,
            filedByID: officer, identityVerified: filing.identityVerified, actor: AuditActor(.officer, officer), requestID: context.requestID)
        var response = Response.json(Self.json(stored, now: now()))
        response.status = duplicate ? .ok : .created
        response.headers[.location] = "/compliance/v1/requests/\(stored.id)"
        return response
    }

    @Sendable func get(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        try PrivacyManagementController.only(request, [])
        return Response.json(Self.json(try await stored(context), now: now()))
    }

    struct StatusChange: Decodable {
        var status: DataSubjectRequest.Status
        var reason: String?
        enum CodingKeys: String, CodingKey, CaseIterable { case status, reason }
        init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(allowed: CodingKeys.names())
            let c = try decoder.container(keyedBy: CodingKeys.self)
            try c.rejectNulls()
            status = try c.decode(DataSubjectRequest.Status.self, forKey: .status)
            reason = try c.decodeIfPresent(String.self, forKey: .reason)
        }
    }

    /// Moves a request along its workflow; rejecting, and completing an erasure before every
    /// module acknowledged it, need a reason.
    @Sendable func changeStatus(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        try PrivacyManagementController.only(request, [])
        let change = try await Self.decode(StatusChange.self, request, context)
        let stored = try await workflow.changeStatus(
            id: try context.parameters.require("id"), to: change.status, reason: change.reason, officer: try officer(context),
            requestID: context.requestID, now: now())
        return Response.json(Self.json(stored, now: now()))
    }

    struct Extension: Decodable {
        /// Whole months for a GDPR-style extension; absent: all that is left (a CCPA extension is taken whole).
        var months: Int?
        var reason: String
        enum CodingKeys: String, CodingKey, CaseIterable { case months, reason }
        init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(allowed: CodingKeys.names())
            let c = try decoder.container(keyedBy: CodingKeys.self)
            try c.rejectNulls()
            months = try c.decodeIfPresent(Int.self, forKey: .months)
            reason = try c.decode(String.self, forKey: .reason)
        }
    }

    /// Extends the deadline as the request's jurisdiction allows, with the reason (GDPR Art.
    /// 12(3): one or two months, two at most in all; CCPA: 45 days, once; LGPD: none).
    @Sendable func extend(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        try PrivacyManagementController.only(request, [])
        let change = try await Self.decode(Extension.self, request, context)
        let stored = try await workflow.extend(
            id: try context.parameters.require("id"), months: change.months, reason: change.reason, officer: try officer(context),
            requestID: context.requestID)
        return Response.json(Self.json(stored, now: now()))
    }

    /// Carries out an erasure request (see `RequestWorkflow.carryOutErasure`).
    @Sendable func erase(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        try PrivacyManagementController.only(request, [])
        let (stored, tombstone) = try await workflow.carryOutErasure(
            id: try context.parameters.require("id"), officer: try officer(context), requestID: context.requestID, now: now())
        return Response.json(.object([
            ("request", Self.json(stored, now: now())),
            ("erasure", try await erasureJSON(tombstone)),
        ]))
    }

    /// What an erasure destroyed and kept, the modules told and which acknowledged.
    func erasureJSON(_ tombstone: ErasureTombstone) async throws -> JSONValue {
        let recipients = try await eventHub.recipients(eventID: tombstone.eventID)
        let acknowledgements = Dictionary(uniqueKeysWithValues: try await eventHub.acknowledgements(eventID: tombstone.eventID).map { ($0.moduleID, $0.at) })
        return .object([
            ("customerId", .string(tombstone.customerID)), ("erasedAt", .string(ISOTimestamp.format(tombstone.erasedAt))),
            ("request", tombstone.requestID.map(JSONValue.string) ?? .null), ("by", .string(tombstone.actor)),
            ("keyDestroyed", .bool(true)),
            ("erased", .array(tombstone.erasedFields.map { .string($0) })),
            ("kept", .array(tombstone.held.map { hold in
                .object([
                    ("field", .string(hold.field)), ("category", .string(hold.category)),
                    ("purposes", .array(hold.purposes.map { .string($0) })), ("legalBasis", .string(LegalBasis.legalObligation.rawValue)),
                    ("until", .string(ISOTimestamp.format(hold.until))),
                ])
            })),
            ("event", .string(tombstone.eventID)),
            ("modules", .array(recipients.map { module in
                .object([
                    ("module", .string(module)),
                    ("acknowledgedAt", acknowledgements[module].map { .string(ISOTimestamp.format($0)) } ?? .null),
                ])
            })),
        ])
    }

    static func json(_ request: DataSubjectRequest, now: Date) -> JSONValue {
        var json = SelfServiceController.requestJSON(request, duplicate: nil)
        json.set("customerId", .string(request.customerID))
        json.set("overdue", .bool(request.isOverdue(at: now)))
        if request.extendedBy != nil {
            if request.extendedByMonths > 0 { json.set("extendedByMonths", .int(request.extendedByMonths)) }
            json.set("extensionReason", request.extensionReason.map(JSONValue.string))
        }
        json.set("deadline", .string(PolicyTestRunner.describe(request.deadline)))
        json.set("handledBy", request.handledBy.map(JSONValue.string))
        json.set("closedAt", request.closedAt.map { .string(ISOTimestamp.format($0)) })
        json.set("closingReason", request.closingReason.map(JSONValue.string))
        json.set("erasureEvent", request.erasureEventID.map(JSONValue.string))
        return json
    }

    // MARK: Helpers

    private func stored(_ context: ConsentryRequestContext) async throws -> DataSubjectRequest {
        guard let stored = try await requests.request(id: try context.parameters.require("id")) else {
            throw ProblemDetails(status: .notFound, code: "not_found", detail: "no request with this id")
        }
        return stored
    }

    private func officer(_ context: ConsentryRequestContext) throws -> String {
        guard let principal = context.principal else { throw ApiKeyAuthenticator.unauthorized("no credential") }
        return principal.id
    }

    private func audit(_ context: ConsentryRequestContext, action: AuditAction, customerID: String?, fields: [String] = []) async throws {
        try await auditLog.record(AuditEvent(
            actor: AuditActor(.officer, try officer(context)), action: action, customerID: customerID, fields: fields, outcome: "succeeded",
            policyVersion: policies.policy.version, requestID: context.requestID))
    }

    static func decode<T: Decodable>(_ type: T.Type, _ request: Request, _ context: ConsentryRequestContext) async throws -> T {
        let body = try await request.body.collect(upTo: context.maxUploadSize)
        return try JSONDecoder().decode(T.self, from: Data(body.readableBytesView))
    }
}
