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
    let optOuts: OptOutRights
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
        group.get("partyPrivacyAgreement/{id}", use: getAgreement)
        // The operations of TMF644 that a hub driven by policy does not offer, each with its
        // reason (docs/tmf-conformance.md).
        for (method, path, reason) in Self.refusedOperations {
            group.on(RouterPath(path), method: method) { _, _ -> Response in
                var problem = ProblemDetails(status: .methodNotAllowed, code: "operation_not_supported", detail: reason)
                problem.headers[.allow] = Self.allowed(on: path)
                throw problem
            }
        }
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

    /// TMF644 operations answered 405, and why.
    static let refusedOperations: [(HTTPRequest.Method, String, String)] = [
        (.post, "partyPrivacyProfileSpecification", Self.policyOwnsSpecification),
        (.patch, "partyPrivacyProfileSpecification/{id}", Self.policyOwnsSpecification),
        (.delete, "partyPrivacyProfileSpecification/{id}", Self.policyOwnsSpecification),
        (.post, "partyPrivacyProfile", "every customer has exactly one privacy profile, created with the customer; PATCH it to record consent"),
        (.delete, "partyPrivacyProfile/{id}", "a profile lives as long as its customer; withdraw consent by PATCH, or file an erasure request (POST dataSubjectRequest)"),
        (.patch, "partyPrivacyAgreement/{id}", Self.agreementsAreSigned),
        (.delete, "partyPrivacyAgreement/{id}", Self.agreementsAreSigned),
    ]
    static let policyOwnsSpecification = "the specification is derived from the policy files (Policies/), which an operator changes and reloads; it is read-only here"
    static let agreementsAreSigned = "an agreement is a signed consent receipt and part of the customer's consent history; record a new agreement (for instance a withdrawal) instead"

    /// The `Allow` header for a TMF644 path.
    static func allowed(on path: String) -> String {
        switch path {
        case "partyPrivacyProfileSpecification", "partyPrivacyProfile": "GET"
        case "partyPrivacyProfileSpecification/{id}", "partyPrivacyAgreement/{id}": "GET"
        case "partyPrivacyProfile/{id}": "GET, PATCH"
        default: "GET, POST"
        }
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
        /// A purpose with a consent status, or an opt-out right (`sale-sharing`,
        /// `limit-sensitive`) with `opted_out` or `opted_in`.
        struct Characteristic: Decodable {
            var privacyUsagePurpose: String
            var value: Value
            enum Value {
                case consent(ConsentStatus)
                case optOut(Bool)
            }
            enum CodingKeys: String, CodingKey, CaseIterable { case privacyUsagePurpose, value, name }
            init(from decoder: any Decoder) throws {
                try decoder.rejectUnknownKeys(allowed: CodingKeys.names())
                let c = try decoder.container(keyedBy: CodingKeys.self)
                try c.rejectNulls()
                _ = try c.decodeIfPresent(String.self, forKey: .name)
                privacyUsagePurpose = try c.decode(String.self, forKey: .privacyUsagePurpose)
                if OptOutRight(rawValue: privacyUsagePurpose) != nil {
                    let text = try c.decode(String.self, forKey: .value)
                    guard text == "opted_out" || text == "opted_in" else {
                        throw DecodingError.dataCorruptedError(forKey: .value, in: c, debugDescription: "an opt-out right's value is opted_out or opted_in")
                    }
                    value = .optOut(text == "opted_out")
                } else {
                    value = .consent(try c.decode(ConsentStatus.self, forKey: .value))
                }
            }
        }
        struct PartyRef: Decodable {
            var id: String
            init(id: String) { self.id = id }
            enum CodingKeys: String, CodingKey, CaseIterable { case id, href, role, name, referredType = "@referredType" }
            init(from decoder: any Decoder) throws {
                try decoder.rejectUnknownKeys(allowed: CodingKeys.names())
                let c = try decoder.container(keyedBy: CodingKeys.self)
                try c.rejectNulls()
                id = try c.decode(String.self, forKey: .id)
                for key in [CodingKeys.href, .role, .name, .referredType] { _ = try c.decodeIfPresent(String.self, forKey: key) }
            }
        }
        /// The customer: TMF644's `engagedPartyRole` (the member with role `customer`, or the
        /// only one), or `applicableForParty` as Consentry's first release took it.
        var applicableForParty: PartyRef?
        /// With `expressedBy: guardian`, the guardian (their customer id): checked against the
        /// customer's linked guardians.
        var agreedByParty: PartyRef?
        var characteristics: [Characteristic]
        var channel: ConsentEvent.Channel
        var expressedBy: ConsentEvent.ExpressedBy
        var agentId: String

        enum CodingKeys: String, CodingKey, CaseIterable {
            case type = "@type", baseType = "@baseType", schemaLocation = "@schemaLocation"
            case applicableForParty, agreedByParty, partyPrivacyProfileCharacteristic, channel, expressedBy, agentId
            // TMF644 PartyPrivacyAgreement_Create attributes Consentry accepts and derives itself.
            case name, agreementType, agreementItem, engagedPartyRole, description, status, initialDate, partyPrivacyProfile
        }

        /// A member accepted in a create body and not read: Consentry derives it.
        struct AcceptedValue: Decodable {
            init(from decoder: any Decoder) throws {}
        }

        struct RoleRef: Decodable {
            var id: String
            var role: String?
            enum CodingKeys: String, CodingKey, CaseIterable { case id, href, role, name, referredType = "@referredType", type = "@type" }
            init(from decoder: any Decoder) throws {
                try decoder.rejectUnknownKeys(allowed: CodingKeys.names())
                let c = try decoder.container(keyedBy: CodingKeys.self)
                id = try c.decode(String.self, forKey: .id)
                role = try c.decodeIfPresent(String.self, forKey: .role)
                for key in [CodingKeys.href, .name, .referredType, .type] { _ = try c.decodeIfPresent(String.self, forKey: key) }
            }
        }

        init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(allowed: CodingKeys.names())
            let c = try decoder.container(keyedBy: CodingKeys.self)
            try c.rejectNulls()
            for key in [CodingKeys.type, .baseType, .schemaLocation, .name, .agreementType, .description, .status, .initialDate] {
                _ = try c.decodeIfPresent(String.self, forKey: key)
            }
            // The agreement items and profile references are derived from the purpose: accepted, not stored.
            _ = try c.decodeIfPresent([AcceptedValue].self, forKey: .agreementItem)
            _ = try c.decodeIfPresent([AcceptedValue].self, forKey: .partyPrivacyProfile)
            applicableForParty = try c.decodeIfPresent(PartyRef.self, forKey: .applicableForParty)
            if applicableForParty == nil, let roles = try c.decodeIfPresent([RoleRef].self, forKey: .engagedPartyRole) {
                let customer = roles.count == 1 ? roles.first : roles.first { $0.role?.lowercased() == "customer" }
                applicableForParty = customer.map { PartyRef(id: $0.id) }
            }
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
            throw ProblemDetails(status: .badRequest, code: "malformed_body", detail: "engagedPartyRole names the customer (role customer)",
                                 issues: [ValidationIssue(path: "engagedPartyRole", code: "required", message: "the customer's id, with role customer")])
        }
        // Each purpose's consent is signed on its own receipt, and an agreement is one receipt.
        guard input.characteristics.count == 1 else {
            throw ProblemDetails(status: .badRequest, code: "malformed_body", detail: "one agreement records one purpose; PATCH the privacy profile to record several at once",
                                 issues: [ValidationIssue(path: "partyPrivacyProfileCharacteristic", code: "one_purpose", message: "exactly one characteristic")])
        }
        let (_, agreements) = try await record(input, customerID: customerID, request, context)
        var response = Response.json(agreements[0])
        response.status = .created
        response.headers[.location] = agreements[0]["href"]?.stringValue
        return response
    }

    /// One agreement by id, for a module that may read its customer and holds its purpose.
    @Sendable func getAgreement(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        try Self.only(request, ["fields"])
        let id = try context.parameters.require("id")
        let (receipt, customerID, partyType) = try await privacyProfiles.agreement({ customerID in
            try await authorize(request, context, operation: .read, customerID: customerID)
        }, id: id)
        return try Self.json(agreement(receipt, customerID: customerID, partyType: partyType), fields: request)
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
        let partyType = try await privacyProfiles.partyType(customerID: customerID)
        var response = try Self.json(.array(receipts.map { agreement($0, customerID: customerID, partyType: partyType) }), fields: request)
        response.headers[.totalCount] = String(receipts.count)
        response.headers[.resultCount] = String(receipts.count)
        return response
    }

    /// A consent receipt as a TMF644 agreement: the customer in `engagedPartyRole`, the purpose
    /// as the agreement item's term and the profile characteristic, and the signed receipt
    /// (a JWS the receipts JWKS verifies) in `agreementAuthorization`, where TMF puts signatures.
    func agreement(_ receipt: StoredReceipt, customerID: String, partyType: PartyType) -> JSONValue {
        let purposeID = receipt.purpose ?? "restriction"
        let purpose = receipt.purpose.flatMap { policies.policy.purposes[$0] }
        let status = Self.consentStatus(inReceipt: receipt.jws) ?? "recorded"
        let issued = JSONValue.string(ISOTimestamp.format(receipt.issuedAt))
        var term: [(String, JSONValue)] = [("id", .string(purposeID))]
        if let purpose { term.append(("description", .string(purpose.description.text(for: "en")))) }
        return .object([
            ("id", .string(receipt.id)), ("href", .string("\(Self.base)/partyPrivacyAgreement/\(receipt.id)")), ("@type", .string("PartyPrivacyAgreement")),
            ("name", .string("consent \(status): \(purposeID)")), ("agreementType", .string("consent")), ("status", .string("agreed")),
            ("initialDate", issued),
            ("agreementItem", .array([.object([("termOrCondition", .array([.object(term)]))])])),
            ("engagedPartyRole", .array([.object([
                ("id", .string(customerID)), ("href", .string("\(GuardedCustomerController.partyBase)/\(partyType.pathComponent)/\(customerID)")),
                ("role", .string("customer")), ("@referredType", .string(partyType.rawValue)),
            ])])),
            ("partyPrivacyProfile", .array([.object([
                ("id", .string(customerID)), ("href", .string("\(Self.base)/partyPrivacyProfile/\(customerID)")), ("@referredType", .string("PartyPrivacyProfile")),
            ])])),
            ("partyPrivacyProfileCharacteristic", .array([.object([
                ("name", .string(purposeID)), ("privacyUsagePurpose", .string(purposeID)), ("value", .string(status)),
            ])])),
            ("agreementAuthorization", .array([.object([
                ("date", issued), ("signatureRepresentation", .string("digital")), ("state", .string("signed")),
                ("consentReceipt", .string(receipt.jws)),
            ])])),
        ])
    }

    /// The `consentStatus` a receipt's payload states (given, withdrawn...). The receipt was
    /// signed here, so its payload is read without verifying it again.
    static func consentStatus(inReceipt jws: String) -> String? {
        let parts = jws.split(separator: ".")
        guard parts.count == 3 else { return nil }
        var base64 = parts[1].replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64), let payload = try? JSONValue.parse(Array(data)) else { return nil }
        return payload["consentStatus"]?.stringValue
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
            let recorded: ConsentChange.Recorded
            switch characteristic.value {
            case .consent(let status):
                recorded = try await consentChange.record(
                    customer: customer, purposeID: characteristic.privacyUsagePurpose, status: status, channel: input.channel,
                    expressedBy: input.expressedBy == .customer ? .agent : input.expressedBy,
                    guardianID: input.expressedBy == .guardian ? input.agreedByParty?.id : nil, actorID: input.agentId,
                    actor: AuditActor(.module, module.module), requestID: context.requestID)
            case .optOut(let optedOut):
                // An agent records the customer's own opt-out (CCPA § 1798.135: by phone or in a shop too).
                recorded = try await optOuts.exercise(
                    subject: ConsentSubject(customer), right: characteristic.privacyUsagePurpose, optedOut: optedOut, channel: input.channel,
                    expressedBy: .agent, actorID: input.agentId, actor: AuditActor(.module, module.module), requestID: context.requestID)
            }
            agreements.append(agreement(
                StoredReceipt(id: recorded.receiptID, purpose: characteristic.privacyUsagePurpose, issuedAt: recorded.at, jws: recorded.jws),
                customerID: customerID, partyType: customer.profile.engagedParty.type))
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

    /// TMF `fields=`: keep `id`, `href`, `@type`, the attributes the official schema requires
    /// (a response still validates) and the named top-level attributes.
    static func json(_ value: JSONValue, fields request: Request?) throws -> Response {
        guard let request, let names = request.uri.queryParameters["fields"].map({ Set($0.split(separator: ",").map(String.init)) }) else {
            return Response.json(value)
        }
        let required: [String: Set<String>] = [
            "PartyPrivacyProfile": ["agreedByParty"],
            "PartyPrivacyAgreement": ["agreementType", "name", "agreementItem", "engagedPartyRole"],
        ]
        func select(_ item: JSONValue) -> JSONValue {
            guard case .object(let members) = item else { return item }
            let kept = names.union(["id", "href", "@type"]).union(item["@type"]?.stringValue.flatMap { required[$0] } ?? [])
            return .object(members.filter { kept.contains($0.0) })
        }
        if case .array(let items) = value { return Response.json(.array(items.map(select))) }
        return Response.json(select(value))
    }
}
