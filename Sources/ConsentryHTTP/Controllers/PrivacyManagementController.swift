import ConsentryCore
import ConsentryPolicy
import ConsentryStore
import ConsentryUseCases
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ConsentryRecords

/// TMF644 Privacy Management for modules, under `/tmf-api/privacyManagement/v4`:
/// - `partyPrivacyProfileSpecification`: derived from Policies/, one characteristic per purpose;
/// - `partyPrivacyProfile`: one per customer (its id is the customer's); its characteristics
///   are the customer's standing per purpose; `agreedByParty` is the guardian when a
///   guardian expressed the latest consent, `applicableForParty` the customer;
/// - `partyPrivacyAgreement`: each recorded consent change with its signed receipt. A module
///   allowed `recordConsent` (an agent desktop) creates one for consent captured in a call
///   or a shop, with the agent's id; PATCH on a profile does the same. A guardian's consent
///   (`expressedBy: guardian`) names the guardian in `agreedByParty`, who must be linked.
/// Reads declare a purpose like every customer read, and are audited.
struct PrivacyManagementController {
    let apiKeys: ApiKeyStore
    let consentChange: ConsentChange
    let customers: EncryptedCustomerStore
    let gate: PurposeGate
    let policies: PolicyRegistry
    let privacyProfiles: PrivacyProfiles
    let requestFiling: RequestFiling
    static let base = "/tmf-api/privacyManagement/v4"

    func addRoutes(to router: Router<ConsentryRequestContext>) {
        let group = router.group("tmf-api/privacyManagement/v4").add(middleware: ApiKeyAuthenticator(keys: apiKeys, kinds: [.module]))
        group.get("partyPrivacyProfileSpecification", use: listSpecifications)
        group.get("partyPrivacyProfileSpecification/{id}", use: getSpecification)
        group.get("partyPrivacyProfile", use: listProfiles)
        group.get("partyPrivacyProfile/{id}", use: getProfile)
        group.patch("partyPrivacyProfile/{id}", use: patchProfile)
        group.get("partyPrivacyAgreement", use: listAgreements)
        group.post("partyPrivacyAgreement", use: createAgreement)
        group.post("dataSubjectRequest", use: fileRequest)
    }

    // MARK: Specification (from the policy; no customer data, no purpose needed)

    @Sendable func listSpecifications(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        try Self.only(request, ["fields"])
        var response = try Self.json(.array([specification()]), fields: request)
        response.headers[.totalCount] = "1"
        response.headers[.resultCount] = "1"
        return response
    }

    @Sendable func getSpecification(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        try Self.only(request, ["fields"])
        guard try context.parameters.require("id") == Self.specificationID else {
            throw ProblemDetails(status: .notFound, code: "not_found", detail: "the only specification is \(Self.specificationID)")
        }
        return try Self.json(specification(), fields: request)
    }

    static let specificationID = "consentry-policy"

    func specification() -> JSONValue {
        let policy = policies.policy
        return .object([
            ("id", .string(Self.specificationID)), ("href", .string("\(Self.base)/partyPrivacyProfileSpecification/\(Self.specificationID)")),
            ("@type", .string("PartyPrivacyProfileSpecification")), ("name", .string("Consentry purposes")),
            ("description", .string("The operator's processing purposes from Policies/, one characteristic per purpose")),
            ("version", .string(policy.version)), ("lifecycleStatus", .string("active")),
            ("partyPrivacyProfileSpecCharacteristic", .array(policy.purposes.values.sorted { $0.id < $1.id }.map { purpose in
                .object([
                    ("name", .string(purpose.id)), ("description", .string(purpose.description.text(for: "en"))),
                    ("privacyUsagePurpose", .string(purpose.id)), ("legalBasis", .string(purpose.legalBasis.rawValue)),
                    ("dpvPurpose", .string(purpose.dpvPurpose)), ("criticalityLevel", .string(purpose.legalBasis == .consent ? "high" : "medium")),
                    ("allowedValues", .array(Self.allowedValues(purpose).map { .string($0) })),
                    ("dataCategories", .array(purpose.categories.keys.sorted().map { .string($0) })),
                    ("noticeVersion", .string(purpose.noticeVersion)),
                ])
            })),
        ])
    }

    static func allowedValues(_ purpose: Purpose) -> [String] {
        switch purpose.legalBasis {
        case .consent: ["given", "refused", "withdrawn", "expired", "not_given"]
        case .legitimateInterest, .publicTask: ["not_required", "objected"]
        default: ["not_required"]
        }
    }

    // MARK: Profiles

    /// Every customer's profile, a page at a time (`offset`, `limit`), each read decided and audited.
    @Sendable func listProfiles(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        try Self.only(request, ["fields", "offset", "limit"])
        let module = try await gate.open(request, context, operation: .read)
        let query = request.uri.queryParameters
        let offset = try GuardedCustomerController.integer(query["offset"], name: "offset", default: 0, range: 0...Int.max)
        let limit = try GuardedCustomerController.integer(query["limit"], name: "limit", default: 20, range: 1...100)
        let (total, profiles) = try await privacyProfiles.page(module, offset: offset, limit: limit)
        var response = try Self.json(.array(profiles.map(json)), fields: request)
        response.headers[.totalCount] = String(total)
        response.headers[.resultCount] = String(profiles.count)
        return response
    }

    @Sendable func getProfile(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        try Self.only(request, ["fields"])
        let id = try context.parameters.require("id")
        let module = try await authorize(request, context, operation: .read, customerID: id)
        return try Self.json(json(try await privacyProfiles.profile(module, customerID: id)), fields: request)
    }

    func json(_ profile: PrivacyProfiles.Profile) -> JSONValue {
        let policy = policies.policy
        let referredType = profile.partyType == .organization ? "Organization" : "Individual"
        func party(_ id: String?, role: String) -> JSONValue {
            var members: [(String, JSONValue)] = []
            if let id { members += [("id", .string(id)), ("href", .string("\(GuardedCustomerController.partyBase)/\(referredType.lowercased())/\(id)"))] }
            return .object(members + [("role", .string(role)), ("@referredType", .string(role == "guardian" ? "Individual" : referredType))])
        }
        let characteristics: [JSONValue] = profile.standings.map { purpose, standing in
            var value = standing.status.rawValue
            if standing.objection == true { value = "objected" }
            var members: [(String, JSONValue)] = [
                ("name", .string(purpose.id)), ("privacyUsagePurpose", .string(purpose.id)), ("value", .string(value)),
                ("legalBasis", .string(purpose.legalBasis.rawValue)),
            ]
            if let since = standing.since {
                var period: [(String, JSONValue)] = [("startDateTime", .string(ISOTimestamp.format(since)))]
                if let end = standing.expiresAt { period.append(("endDateTime", .string(ISOTimestamp.format(end)))) }
                members.append(("validFor", .object(period)))
            }
            return .object(members)
        }
        let id = profile.customerID
        return .object([
            ("id", .string(id)), ("href", .string("\(Self.base)/partyPrivacyProfile/\(id)")), ("@type", .string("PartyPrivacyProfile")),
            ("status", .string(profile.restricted ? "restricted" : "active")),
            ("partyPrivacyProfileSpecification", .object([
                ("id", .string(Self.specificationID)), ("href", .string("\(Self.base)/partyPrivacyProfileSpecification/\(Self.specificationID)")),
                ("version", .string(policy.version)),
            ])),
            // A guardian whose id the decision withholds is named by role only.
            ("agreedByParty", profile.agreedBy == .guardian ? party(profile.guardianID, role: "guardian") : party(id, role: "customer")),
            ("applicableForParty", party(id, role: "customer")),
            ("partyPrivacyProfileCharacteristic", .array(characteristics)),
        ])
    }

    /// Records consent captured for the customer: `partyPrivacyProfileCharacteristic` with
    /// `privacyUsagePurpose` and `value` (given, refused, withdrawn).
    @Sendable func patchProfile(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        try Self.only(request, [])
        let id = try context.parameters.require("id")
        let body = try await request.body.collect(upTo: context.maxUploadSize)
        let patch = try JSONDecoder().decode(AgreementInput.self, from: Data(body.readableBytesView))
        let (module, _) = try await record(patch, customerID: id, request, context)
        return try Self.json(json(try await privacyProfiles.profile(module, customerID: id)), fields: nil)
    }

    // MARK: Agreements

    struct AgreementInput: Decodable {
        struct Characteristic: Decodable {
            var privacyUsagePurpose: String
            var value: ConsentStatus
            enum CodingKeys: String, CodingKey, CaseIterable { case privacyUsagePurpose, value, name }
            init(from decoder: any Decoder) throws {
                try decoder.rejectUnknownKeys(allowed: CodingKeys.names())
                let c = try decoder.container(keyedBy: CodingKeys.self)
                try c.rejectNulls()
                _ = try c.decodeIfPresent(String.self, forKey: .name)
                privacyUsagePurpose = try c.decode(String.self, forKey: .privacyUsagePurpose)
                value = try c.decode(ConsentStatus.self, forKey: .value)
            }
        }
        struct PartyRef: Decodable {
            var id: String
            enum CodingKeys: String, CodingKey, CaseIterable { case id, href, role, name, referredType = "@referredType" }
            init(from decoder: any Decoder) throws {
                try decoder.rejectUnknownKeys(allowed: CodingKeys.names())
                let c = try decoder.container(keyedBy: CodingKeys.self)
                try c.rejectNulls()
                id = try c.decode(String.self, forKey: .id)
                for key in [CodingKeys.href, .role, .name, .referredType] { _ = try c.decodeIfPresent(String.self, forKey: key) }
            }
        }
        var applicableForParty: PartyRef?
        /// With `expressedBy: guardian`, the guardian (their customer id): checked against the
        /// customer's linked guardians.
        var agreedByParty: PartyRef?
        var characteristics: [Characteristic]
        var channel: ConsentEvent.Channel
        var expressedBy: ConsentEvent.ExpressedBy
        var agentId: String

        enum CodingKeys: String, CodingKey, CaseIterable {
            case type = "@type", applicableForParty, agreedByParty, partyPrivacyProfileCharacteristic, channel, expressedBy, agentId
        }

        init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(allowed: CodingKeys.names())
            let c = try decoder.container(keyedBy: CodingKeys.self)
            try c.rejectNulls()
            _ = try c.decodeIfPresent(String.self, forKey: .type)
            applicableForParty = try c.decodeIfPresent(PartyRef.self, forKey: .applicableForParty)
            agreedByParty = try c.decodeIfPresent(PartyRef.self, forKey: .agreedByParty)
            characteristics = try c.decode([Characteristic].self, forKey: .partyPrivacyProfileCharacteristic)
            channel = try c.decodeIfPresent(ConsentEvent.Channel.self, forKey: .channel) ?? .callCentre
            expressedBy = try c.decodeIfPresent(ConsentEvent.ExpressedBy.self, forKey: .expressedBy) ?? .customer
            agentId = try c.decode(String.self, forKey: .agentId)
            guard !characteristics.isEmpty, (1...64).contains(agentId.count) else {
                throw DecodingError.dataCorrupted(.init(codingPath: [CodingKeys.agentId], debugDescription: "agentId (1-64 characters) and at least one characteristic are required"))
            }
        }
    }

    @Sendable func createAgreement(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        try Self.only(request, [])
        let body = try await request.body.collect(upTo: context.maxUploadSize)
        let input = try JSONDecoder().decode(AgreementInput.self, from: Data(body.readableBytesView))
        guard let customerID = input.applicableForParty?.id else {
            throw ProblemDetails(status: .badRequest, code: "malformed_body", detail: "applicableForParty.id names the customer",
                                 issues: [ValidationIssue(path: "applicableForParty.id", code: "required", message: "the customer's id")])
        }
        let (_, agreements) = try await record(input, customerID: customerID, request, context)
        var response = Response.json(agreements.count == 1 ? agreements[0] : .array(agreements))
        response.status = .created
        response.headers[.location] = "\(Self.base)/partyPrivacyAgreement?applicableForParty.id=\(customerID)"
        return response
    }

    struct RequestInput: Decodable {
        var customerId: String
        var type: DataSubjectRequest.RequestType
        var agentId: String
        var channel: ConsentEvent.Channel
        var purpose: String?
        var fields: [String]

        enum CodingKeys: String, CodingKey, CaseIterable { case customerId, type, agentId, channel, purpose, fields }
        init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(allowed: CodingKeys.names())
            let c = try decoder.container(keyedBy: CodingKeys.self)
            try c.rejectNulls()
            customerId = try c.decode(String.self, forKey: .customerId)
            type = try c.decode(DataSubjectRequest.RequestType.self, forKey: .type)
            agentId = try c.decode(String.self, forKey: .agentId)
            channel = try c.decodeIfPresent(ConsentEvent.Channel.self, forKey: .channel) ?? .callCentre
            purpose = try c.decodeIfPresent(String.self, forKey: .purpose)
            fields = try c.decodeIfPresent([String].self, forKey: .fields) ?? []
            guard (1...64).contains(agentId.count) else {
                throw DecodingError.dataCorrupted(.init(codingPath: [CodingKeys.agentId], debugDescription: "agentId: 1-64 characters"))
            }
        }
    }

    /// An agent files a data-subject request for the caller (module operation `recordConsent`,
    /// the agent desktop's): the agent verified the caller's identity on the call, so the
    /// request starts as `identity_verified`, recorded with the agent's id.
    @Sendable func fileRequest(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        try Self.only(request, [])
        let body = try await request.body.collect(upTo: context.maxUploadSize)
        let input = try JSONDecoder().decode(RequestInput.self, from: Data(body.readableBytesView))
        let module = try await authorize(request, context, operation: .recordConsent, customerID: input.customerId)
        let (stored, duplicate) = try await requestFiling.file(
            customerID: input.customerId, type: input.type, purpose: input.purpose, fields: input.fields, channel: input.channel.rawValue,
            filedBy: .agent, filedByID: input.agentId, identityVerified: true, actor: AuditActor(.module, module.module), requestID: context.requestID)
        var response = Response.json(SelfServiceController.requestJSON(stored, duplicate: duplicate))
        response.status = duplicate ? .ok : .created
        return response
    }

    /// A customer's agreements (their signed consent changes), newest first.
    @Sendable func listAgreements(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        try Self.only(request, ["applicableForParty.id", "fields"])
        guard let customerID = request.uri.queryParameters["applicableForParty.id"].map(String.init) else {
            throw GuardedCustomerController.badParameter("filter by applicableForParty.id (a customer id)")
        }
        let module = try await authorize(request, context, operation: .read, customerID: customerID)
        let receipts = try await privacyProfiles.agreements(module, customerID: customerID)
        var response = try Self.json(.array(receipts.map { agreement($0, customerID: customerID) }), fields: request)
        response.headers[.totalCount] = String(receipts.count)
        response.headers[.resultCount] = String(receipts.count)
        return response
    }

    func agreement(_ receipt: StoredReceipt, customerID: String) -> JSONValue {
        .object([
            ("id", .string(receipt.id)), ("href", .string("\(Self.base)/partyPrivacyAgreement/\(receipt.id)")), ("@type", .string("PartyPrivacyAgreement")),
            ("status", .string("agreed")), ("agreementType", .string("consent")),
            ("initialDate", .string(ISOTimestamp.format(receipt.issuedAt))),
            ("applicableForParty", .object([("id", .string(customerID)), ("@referredType", .string("Individual"))])),
            ("privacyUsagePurpose", receipt.purpose.map(JSONValue.string) ?? .null),
            ("consentReceipt", .string(receipt.jws)),
        ])
    }

    private func record(
        _ input: AgreementInput, customerID: String, _ request: Request, _ context: ConsentryRequestContext
    ) async throws -> (ModuleCall, [JSONValue]) {
        let module = try await authorize(request, context, operation: .recordConsent, customerID: customerID)
        guard let customer = try await customers.customer(id: customerID) else {
            throw ProblemDetails(status: .notFound, code: "not_found", detail: "no customer with this id")
        }
        var agreements: [JSONValue] = []
        for characteristic in input.characteristics {
            let recorded = try await consentChange.record(
                customer: customer, purposeID: characteristic.privacyUsagePurpose, status: characteristic.value, channel: input.channel,
                expressedBy: input.expressedBy == .customer ? .agent : input.expressedBy,
                guardianID: input.expressedBy == .guardian ? input.agreedByParty?.id : nil, actorID: input.agentId,
                actor: AuditActor(.module, module.module), requestID: context.requestID)
            agreements.append(agreement(
                StoredReceipt(id: recorded.receiptID, purpose: characteristic.privacyUsagePurpose, issuedAt: recorded.at, jws: recorded.jws),
                customerID: customerID))
        }
        return (module, agreements)
    }

    private func authorize(_ request: Request, _ context: ConsentryRequestContext, operation: ModuleOperation, customerID: String) async throws -> ModuleCall {
        try await gate.open(request, context, operation: operation, customerID: customerID)
    }

    static func only(_ request: Request, _ allowed: Set<String>) throws {
        for (name, _) in request.uri.queryParameters where !allowed.contains(String(name)) {
            throw GuardedCustomerController.badParameter("unknown query parameter \"\(name)\"")
        }
    }

    /// TMF `fields=`: keep `id`, `href`, `@type` and the named top-level attributes.
    static func json(_ value: JSONValue, fields request: Request?) throws -> Response {
        guard let request, let names = request.uri.queryParameters["fields"].map({ Set($0.split(separator: ",").map(String.init)) }) else {
            return Response.json(value)
        }
        func select(_ item: JSONValue) -> JSONValue {
            guard case .object(let members) = item else { return item }
            return .object(members.filter { ["id", "href", "@type"].contains($0.0) || names.contains($0.0) })
        }
        if case .array(let items) = value { return Response.json(.array(items.map(select))) }
        return Response.json(select(value))
    }
}
