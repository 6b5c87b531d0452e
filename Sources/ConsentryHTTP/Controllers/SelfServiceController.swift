import ConsentryCore
import ConsentryPolicy
import ConsentryStore
import ConsentryUseCases
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ConsentryRecords

/// Customer self-management under `/self/v1/me`: one's own data, decrypted, with its data
/// categories; consent per purpose (withdrawing is the same single call as giving), each
/// change with a signed receipt; the receipts themselves.
struct SelfServiceController {
    let dashboard: DashboardController
    let dependants: DependantsController
    let auditLog: AuditLog
    let consentChange: ConsentryUseCases.ConsentChange
    let consentLedger: ConsentLedger
    let customerTokens: CustomerTokenVerifier?
    let customers: EncryptedCustomerStore
    let policies: PolicyRegistry
    let portability: DataPortability
    let reader: GuardedCustomerReader
    let receipts: ReceiptSigner
    let requestFiling: ConsentryUseCases.RequestFiling
    let requests: DataSubjectRequestStore
    let selfManagement: SelfManagement
    let optOuts: OptOutRights

    func addRoutes(to router: Router<ConsentryRequestContext>) {
        router.get("self/v1/receipts/jwks", use: jwks)
        let me = router.group("self/v1/me").add(middleware: CustomerAuthenticator(verifier: customerTokens, customers: customers))
            .add(middleware: GlobalPrivacyControlMiddleware(optOuts: optOuts, policies: policies))
        me.get(use: profile)
        me.patch(use: correct)
        me.get("export", use: export)
        me.get("requests", use: listRequests)
        me.post("requests", use: fileRequest)
        dashboard.addRoutes(to: me.group("dashboard"))
        dependants.addRoutes(to: me.group("dependants"))
        me.get("consents", use: consents)
        me.put("consents/{purpose}", use: changeConsent)
        me.get("receipts", use: receipts)
        me.put("objections/{purpose}", use: { request, context in try await self.objection(request, context, objecting: true) })
        me.delete("objections/{purpose}", use: { request, context in try await self.objection(request, context, objecting: false) })
        me.get("opt-outs", use: listOptOuts)
        me.put("opt-outs/{right}", use: { request, context in try await self.optOut(request, context, optedOut: true) })
        me.delete("opt-outs/{right}", use: { request, context in try await self.optOut(request, context, optedOut: false) })
        me.put("restriction", use: { request, context in try await self.restriction(request, context, restricting: true) })
        me.delete("restriction", use: { request, context in try await self.restriction(request, context, restricting: false) })
    }

    /// Everything held about the signed-in customer, decrypted, each field with its category.
    @Sendable func profile(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        let customer = try await signedIn(context)
        let policy = policies.policy
        let fields = PolicyField.applicable(to: customer.profile.engagedParty.type)
        let decision = AccessDecision(
            customerID: customer.id, purpose: "self-access", policyVersion: policy.version, customerReason: nil,
            fields: fields.map { FieldDecision(field: $0, category: policy.category(of: $0), treatment: .plain, reason: .permitted) })
        guard let disclosure = try await reader.read(ids: [customer.id], decide: { _, _ in decision }).first else {
            throw ProblemDetails(status: .notFound, code: "not_found")
        }
        var body = GuardedCustomerView(resource: .customer, hrefBase: "/self/v1/me", schemaLocation: request.origin + GuardedCustomerView.schemaPath, selection: .all)
            .render(disclosure.customer, decision: decision)
        body.set("privacyDecision", nil)
        body.set("href", .string("/self/v1/me"))
        body.set("dataCategories", .array(fields.map { field in
            let category = policy.category(of: field)
            return .object([
                ("field", .string(field.rawValue)), ("category", .string(category)),
                ("description", .string(policy.categories[category]?.description ?? "")),
            ])
        }))
        try await audit(context, action: .selfRead, fields: fields.map(\.rawValue))
        return Response.json(body)
    }

    /// Corrects the customer's own contact details (GDPR Art. 16): `contactMedium` replaces the
    /// stored list, validated, re-encrypted and re-indexed. `If-Match` is honoured when sent.
    @Sendable func correct(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        let customer = try await signedIn(context)
        let body = try await request.body.collect(upTo: context.maxUploadSize)
        let data = Data(body.readableBytesView)
        // Only contact details are the customer's to change here; names and identity go through a request.
        if let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any], let key = object.keys.first(where: { $0 != "contactMedium" }) {
            throw ProblemDetails(
                status: .badRequest, code: "malformed_body",
                detail: "\(key) cannot be changed here; send only contactMedium, or file a rectification request",
                issues: [ValidationIssue(path: key, code: "not_self_service", message: "only contactMedium can be corrected directly")])
        }
        let patch = try JSONDecoder().decode(CustomerPatch.self, from: data)
        guard patch.contactMedium != nil else {
            throw ProblemDetails(
                status: .badRequest, code: "malformed_body", detail: "send contactMedium: the full list of your contact details",
                issues: [ValidationIssue(path: "contactMedium", code: "required", message: "the full list of contact media")])
        }
        // Invalid contact details are refused before the version is compared.
        try CustomerValidator().validate(try patch.applied(to: customer))
        if let ifMatch = request.headers[.ifMatch], !GuardedCustomerController.etagMatches(ifMatch, version: customer.version) {
            throw ProblemDetails(status: .preconditionFailed, code: "version_conflict", detail: "your data changed since you read it; read it again")
        }
        let updated: Customer
        let changed: [PolicyField]
        do {
            (updated, changed) = try await selfManagement.correctContacts(customer: customer, patch: patch, requestID: context.requestID)
        } catch let error as UseCaseError where error.code == "version_conflict" {
            throw ProblemDetails(status: .preconditionFailed, code: error.code, detail: error.message)
        }
        var response = Response.json(.object([("version", .int(updated.version)), ("changed", .array(changed.map { .string($0.rawValue) }))]))
        response.headers[.eTag] = "\"\(updated.version)\""
        return response
    }

    /// Data portability (GDPR Art. 20): the customer's data as JSON (the import format, so
    /// another provider can load it) or CSV (field, category, value), with consent history.
    @Sendable func export(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        let customer = try await signedIn(context)
        let text = request.uri.queryParameters["format"].map(String.init) ?? "json"
        guard let format = DataPortability.Format(rawValue: text) else {
            throw ProblemDetails(status: .badRequest, code: "invalid_parameter", detail: "format must be json or csv")
        }
        let document = try await portability.export(customer, format: format, requestID: context.requestID)
        return Response(
            status: .ok,
            headers: [.contentType: document.contentType, .contentDisposition: "attachment; filename=\"\(document.filename)\""],
            body: .init(byteBuffer: ByteBuffer(bytes: document.bytes)))
    }

    struct RequestFiling: Decodable {
        var type: DataSubjectRequest.RequestType
        var purpose: String?
        var fields: [String]?

        enum CodingKeys: String, CodingKey, CaseIterable { case type, purpose, fields }

        init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(allowed: CodingKeys.names())
            let c = try decoder.container(keyedBy: CodingKeys.self)
            type = try c.decode(DataSubjectRequest.RequestType.self, forKey: .type)
            purpose = try c.decodeIfPresent(String.self, forKey: .purpose)
            fields = try c.decodeIfPresent([String].self, forKey: .fields)
        }
    }

    /// Files a data-subject request (access, portability, erasure, rectification, restriction,
    /// objection): recorded with its due date; officers process it. Filing the same again
    /// while one is open returns the open one.
    @Sendable func fileRequest(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        let customer = try await signedIn(context)
        let body = try await request.body.collect(upTo: context.maxUploadSize)
        let filing = try JSONDecoder().decode(RequestFiling.self, from: Data(body.readableBytesView))
        let (stored, duplicate) = try await requestFiling.file(
            customerID: customer.id, type: filing.type, purpose: filing.purpose, fields: filing.fields ?? [], channel: try Self.channel(request).rawValue,
            filedBy: .customer, filedByID: nil, identityVerified: false, actor: AuditActor(.customer, customer.id), requestID: context.requestID)
        var response = Response.json(Self.requestJSON(stored, duplicate: duplicate))
        response.status = duplicate ? .ok : .created
        response.headers[.location] = "/self/v1/me/requests"
        return response
    }

    @Sendable func listRequests(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        let customerID = try signedInID(context)
        return Response.json(.array(try await requests.requests(customerID: customerID).map { Self.requestJSON($0, duplicate: nil) }))
    }

    static func requestJSON(_ request: DataSubjectRequest, duplicate: Bool?) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("id", .string(request.id)), ("type", .string(request.type.rawValue)), ("status", .string(request.status.rawValue)),
            ("receivedAt", .string(ISOTimestamp.format(request.receivedAt))), ("dueAt", .string(ISOTimestamp.format(request.dueAt))),
            ("channel", .string(request.channel)), ("filedBy", .string(request.filedBy.rawValue)),
        ]
        if let purpose = request.purpose { members.append(("purpose", .string(purpose))) }
        if !request.fields.isEmpty { members.append(("fields", .array(request.fields.map { .string($0) }))) }
        members.append(("jurisdiction", .string(request.jurisdiction)))
        if let extended = request.extendedBy { members.append(("extendedBy", .string(extended.description))) }
        if let duplicate { members.append(("duplicate", .bool(duplicate))) }
        return .object(members)
    }

    /// A purpose as the customer sees it, in their language, with where they stand.
    static func purposeJSON(_ purpose: Purpose, standing: ConsentStanding, language: String?) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("purpose", .string(purpose.id)),
            ("name", .string(purpose.name.text(for: language))),
            ("description", .string(purpose.description.text(for: language))),
            ("legalBasis", .string(purpose.legalBasis.rawValue)),
            ("article", .string(purpose.legalBasis.article)),
            ("retention", .string("\(purpose.retention.period) after \(purpose.retention.from.rawValue)")),
            ("status", .string(standing.status.rawValue)),
        ]
        if let since = standing.since { members.append(("since", .string(ISOTimestamp.format(since)))) }
        if let expiry = standing.expiresAt { members.append(("expiresAt", .string(ISOTimestamp.format(expiry)))) }
        if let notice = standing.noticeVersion { members.append(("noticeVersion", .string(notice))) }
        if purpose.legalBasis == .consent {
            members.append(("currentNoticeVersion", .string(purpose.noticeVersion)))
            members.append(("reconsentNeeded", .bool(standing.reconsentNeeded)))
        }
        if let objection = standing.objection { members.append(("objection", .bool(objection))) }
        if let right = standing.optOut { members.append(("optOut", .string(right.rawValue))) }
        if let automated = purpose.automatedDecision {
            members.append(("automatedDecision", .object([
                ("logic", .string(automated.logic.text(for: language))), ("significance", .string(automated.significance.text(for: language))),
                ("humanReview", .string("POST /self/v1/me/requests {\"type\": \"human_review\", \"purpose\": \"\(purpose.id)\"}")),
            ])))
        }
        return .object(members)
    }

    /// Each purpose of the policy as the customer sees it: what it is for, on what basis, and
    /// where their consent or objection stands.
    @Sendable func consents(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        Response.json(try await Self.consentsJSON(of: try await signedIn(context), language: nil, selfManagement: selfManagement))
    }

    /// `customer`'s standing on every purpose, in `language` (default: the customer's own).
    static func consentsJSON(of customer: Customer, language: String?, selfManagement: SelfManagement) async throws -> JSONValue {
        let (restricted, standings) = try await selfManagement.standings(of: customer)
        let language = language ?? customer.profile.preferredLanguage
        let purposes: [JSONValue] = standings.map { purposeJSON($0.purpose, standing: $0.standing, language: language) }
        return .object([("restricted", .bool(restricted)), ("purposes", .array(purposes))])
    }

    struct ConsentChange: Decodable {
        var status: ConsentStatus
        var channel: ConsentEvent.Channel?

        enum CodingKeys: String, CodingKey, CaseIterable { case status, channel }

        init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(allowed: CodingKeys.names())
            let c = try decoder.container(keyedBy: CodingKeys.self)
            status = try c.decode(ConsentStatus.self, forKey: .status)
            channel = try c.decodeIfPresent(ConsentEvent.Channel.self, forKey: .channel)
        }
    }

    /// Gives, refuses or withdraws consent for one purpose: the same call either way. Records
    /// the history event and its signed receipt in one transaction; modules see the change
    /// on their very next read.
    @Sendable func changeConsent(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        guard let signedIn = context.signedIn else { throw ApiKeyAuthenticator.unauthorized("not signed in") }
        let purposeID = try context.parameters.require("purpose")
        let body = try await request.body.collect(upTo: context.maxUploadSize)
        let change = try JSONDecoder().decode(ConsentChange.self, from: Data(body.readableBytesView))
        // Three fields decrypted (birth date, language, guardians), not the whole customer.
        let recorded = try await consentChange.record(
            subject: try await signedIn.consentSubject(), purposeID: purposeID, status: change.status, channel: change.channel ?? .web,
            expressedBy: .customer, actorID: nil, actor: AuditActor(.customer, signedIn.id), requestID: context.requestID)
        return Response.json(.object([
            ("purpose", .string(purposeID)), ("status", .string(change.status.rawValue)), ("since", .string(ISOTimestamp.format(recorded.at))),
            ("noticeVersion", .string(recorded.noticeVersion)),
            ("receipt", .object([("id", .string(recorded.receiptID)), ("jws", .string(recorded.jws))])),
        ]))
    }

    /// Objects to (or withdraws the objection to) a purpose resting on legitimate interest or
    /// public task (GDPR Art. 21). Modules see it on their next read.
    func objection(_ request: Request, _ context: ConsentryRequestContext, objecting: Bool) async throws -> Response {
        let customer = try await signedIn(context)
        let purposeID = try context.parameters.require("purpose")
        try await selfManagement.object(
            customer: customer, purposeID: purposeID, objecting: objecting, channel: try Self.channel(request), requestID: context.requestID)
        return Response.json(.object([("purpose", .string(purposeID)), ("objection", .bool(objecting))]))
    }

    /// The opt-out rights of the customer's jurisdiction (CPRA "do not sell or share",
    /// "limit sensitive personal information"), and where the customer stands with each.
    @Sendable func listOptOuts(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        let customerID = try signedInID(context)
        return Response.json(try await Self.optOutsJSON(customerID: customerID, language: nil, optOuts: optOuts, policies: policies))
    }

    static func optOutsJSON(customerID: String, language: String?, optOuts: OptOutRights, policies: PolicyRegistry) async throws -> JSONValue {
        let (jurisdiction, rights) = try await optOuts.standings(customerID: customerID)
        return .object([
            ("jurisdiction", jurisdictionJSON(jurisdiction)),
            ("rights", .array(rights.map { standing in
                var members: [(String, JSONValue)] = [
                    ("right", .string(standing.right.rawValue)), ("title", .string(standing.right.title.text(for: language))),
                    ("optedOut", .bool(standing.optedOut)), ("globalPrivacyControl", .bool(standing.honoursGPC)),
                    ("purposes", .array(standing.purposes.map { .string($0.id) })),
                ]
                if let since = standing.since { members.append(("since", .string(ISOTimestamp.format(since)))) }
                if let channel = standing.channel { members.append(("channel", .string(channel.rawValue))) }
                return .object(members)
            })),
        ])
    }

    static func jurisdictionJSON(_ jurisdiction: Jurisdiction) -> JSONValue {
        .object([("id", .string(jurisdiction.id)), ("name", .string(jurisdiction.name)), ("law", .string(jurisdiction.law))])
    }

    /// Exercises an opt-out right (PUT) or withdraws it (DELETE): a consent event with a
    /// signed receipt, announced to modules; they see it on their next read.
    func optOut(_ request: Request, _ context: ConsentryRequestContext, optedOut: Bool) async throws -> Response {
        guard let signedIn = context.signedIn else { throw ApiKeyAuthenticator.unauthorized("not signed in") }
        let right = try context.parameters.require("right")
        let recorded = try await optOuts.exercise(
            subject: try await signedIn.consentSubject(), right: right, optedOut: optedOut, channel: try Self.channel(request), expressedBy: .customer,
            actorID: nil, actor: AuditActor(.customer, signedIn.id), requestID: context.requestID)
        return Response.json(.object([
            ("right", .string(right)), ("optedOut", .bool(optedOut)), ("since", .string(ISOTimestamp.format(recorded.at))),
            ("receipt", .object([("id", .string(recorded.receiptID)), ("jws", .string(recorded.jws))])),
        ]))
    }

    /// Restricts processing of all the customer's data (GDPR Art. 18), or lifts it. While
    /// restricted, only purposes resting on legal obligation or vital interest go on.
    func restriction(_ request: Request, _ context: ConsentryRequestContext, restricting: Bool) async throws -> Response {
        let customer = try await signedIn(context)
        try await selfManagement.restrict(customer: customer, restricting: restricting, channel: try Self.channel(request), requestID: context.requestID)
        return Response.json(.object([("restricted", .bool(restricting))]))
    }

    /// The `channel` query parameter (how the customer acted), default `web`.
    static func channel(_ request: Request) throws -> ConsentEvent.Channel {
        guard let text = request.uri.queryParameters["channel"] else { return .web }
        guard let channel = ConsentEvent.Channel(rawValue: String(text)) else {
            throw ProblemDetails(status: .badRequest, code: "invalid_parameter", detail: "channel must be one of \(ConsentEvent.Channel.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return channel
    }

    /// The customer's signed receipts, newest first.
    @Sendable func receipts(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        let stored = try await consentLedger.receipts(customerID: try signedInID(context))
        return Response.json(.array(stored.map { receipt in
            .object([
                ("id", .string(receipt.id)), ("purpose", receipt.purpose.map(JSONValue.string) ?? .null),
                ("issuedAt", .string(ISOTimestamp.format(receipt.issuedAt))), ("jws", .string(receipt.jws)),
            ])
        }))
    }

    /// The public key that verifies receipts (no authentication: it is public).
    @Sendable func jwks(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        Response.json(receipts.jwks)
    }

    // MARK: Helpers

    /// The signed-in customer, decrypted whole.
    private func signedIn(_ context: ConsentryRequestContext) async throws -> Customer {
        guard let signedIn = context.signedIn else { throw ApiKeyAuthenticator.unauthorized("not signed in") }
        return try await signedIn.customer()
    }

    /// The signed-in customer's id, nothing decrypted.
    private func signedInID(_ context: ConsentryRequestContext) throws -> String {
        guard let signedIn = context.signedIn else { throw ApiKeyAuthenticator.unauthorized("not signed in") }
        return signedIn.id
    }

    private func audit(_ context: ConsentryRequestContext, action: AuditAction, purpose: String? = nil, fields: [String] = []) async throws {
        try await auditLog.record(try auditEvent(context, action: action, purpose: purpose, fields: fields))
    }

    private func auditEvent(_ context: ConsentryRequestContext, action: AuditAction, purpose: String? = nil, fields: [String] = []) throws -> AuditEvent {
        let customerID = try signedInID(context)
        return AuditEvent(
            actor: AuditActor(.customer, customerID), action: action, customerID: customerID, purpose: purpose, fields: fields,
            outcome: "succeeded", policyVersion: policies.policy.version, requestID: context.requestID)
    }
}
