import ConsentryCore
import ConsentryPolicy
import ConsentryStore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Customer self-management under `/self/v1/me`: one's own data, decrypted, with its data
/// categories; consent per purpose (withdrawing is the same single call as giving), each
/// change with a signed receipt; the receipts themselves.
struct SelfServiceController {
    let services: ConsentryServices

    func addRoutes(to router: Router<ConsentryRequestContext>) {
        router.get("self/v1/receipts/jwks", use: jwks)
        let me = router.group("self/v1/me").add(middleware: CustomerAuthenticator(verifier: services.customerTokens, customers: services.customers))
        me.get(use: profile)
        me.get("consents", use: consents)
        me.put("consents/{purpose}", use: changeConsent)
        me.get("receipts", use: receipts)
    }

    /// Everything held about the signed-in customer, decrypted, each field with its category.
    @Sendable func profile(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        let customer = try signedIn(context)
        let policy = services.policies.policy
        let fields = PolicyField.applicable(to: customer.profile.engagedParty.type)
        let decision = AccessDecision(
            customerID: customer.id, purpose: "self-access", policyVersion: policy.version, customerReason: nil,
            fields: fields.map { FieldDecision(field: $0, category: policy.category(of: $0), treatment: .plain, reason: .permitted) })
        guard let disclosure = try await services.reader.read(ids: [customer.id], decide: { _, _ in decision }).first else {
            throw ProblemDetails(status: .notFound, code: "not_found")
        }
        var body = GuardedCustomerView(resource: .customer, hrefBase: "/self/v1/me", selection: .all)
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
        try await audit(context, action: "self.read", fields: fields.map(\.rawValue))
        return Self.json(body)
    }

    /// Each purpose of the policy as the customer sees it: what it is for, on what basis, and
    /// where their consent or objection stands.
    @Sendable func consents(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        let customer = try signedIn(context)
        guard let (state, _) = try await services.consents.privacyState(customerID: customer.id) else { throw ProblemDetails(status: .notFound, code: "not_found") }
        let policy = services.policies.policy
        let language = customer.profile.preferredLanguage
        let now = Date()
        let purposes: [JSONValue] = policy.purposes.values.sorted { $0.id < $1.id }.map { purpose in
            var members: [(String, JSONValue)] = [
                ("purpose", .string(purpose.id)),
                ("name", .string(purpose.name.text(for: language))),
                ("description", .string(purpose.description.text(for: language))),
                ("legalBasis", .string(purpose.legalBasis.rawValue)),
                ("article", .string(purpose.legalBasis.article)),
                ("retention", .string("\(purpose.retention.period) after \(purpose.retention.from.rawValue)")),
            ]
            if purpose.legalBasis == .consent {
                let consent = state.consents[purpose.id]
                var status = consent?.status.rawValue ?? "not_given"
                if let consent, consent.status == .given, let expiry = DecisionEngine.consentExpiry(consent, settings: purpose.consent), expiry <= now {
                    status = "expired"
                }
                members.append(("status", .string(status)))
                if let consent {
                    members.append(("since", .string(ISOTimestamp.format(consent.since))))
                    if let expiry = DecisionEngine.consentExpiry(consent, settings: purpose.consent) { members.append(("expiresAt", .string(ISOTimestamp.format(expiry)))) }
                    if let notice = consent.noticeVersion { members.append(("noticeVersion", .string(notice))) }
                }
                members.append(("currentNoticeVersion", .string(purpose.noticeVersion)))
                members.append(("reconsentNeeded", .bool(consent?.status == .given && consent?.noticeVersion != purpose.noticeVersion)))
            } else {
                members.append(("status", .string("not_required")))
                if purpose.legalBasis.allowsObjection { members.append(("objection", .bool(state.objections.contains(purpose.id)))) }
            }
            return .object(members)
        }
        return Self.json(.object([("restricted", .bool(state.restricted)), ("purposes", .array(purposes))]))
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
        let customer = try signedIn(context)
        let purposeID = try context.parameters.require("purpose")
        let policy = services.policies.policy
        guard let purpose = policy.purposes[purposeID] else {
            throw ProblemDetails(status: .notFound, code: "unknown_purpose", detail: "no purpose with this id; see GET /self/v1/me/consents")
        }
        let body = try await request.body.collect(upTo: context.maxUploadSize)
        let change = try JSONDecoder().decode(ConsentChange.self, from: Data(body.readableBytesView))
        guard purpose.legalBasis == .consent, let settings = purpose.consent else {
            throw ProblemDetails(
                status: .conflict, code: "consent_not_applicable",
                detail: "this purpose rests on \(purpose.legalBasis.rawValue), not consent" + (purpose.legalBasis.allowsObjection ? "; you may object to it instead" : ""))
        }
        let now = Date()
        if change.status == .given, let age = Self.age(of: customer, at: now), age < settings.guardianRequiredUnderAge {
            throw ProblemDetails(
                status: .forbidden, code: "guardian_required",
                detail: "below \(settings.guardianRequiredUnderAge), consent for this purpose must come from a parent or guardian (GDPR Art. 8)")
        }
        let channel = change.channel ?? .web
        let receiptID = UUID().uuidString.lowercased()
        let issuedAt = Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down))
        let receipt = ConsentReceipt(
            receiptID: receiptID, customerID: customer.id, purpose: purpose, policy: policy, status: change.status, method: channel.rawValue,
            expressedBy: ConsentEvent.ExpressedBy.customer.rawValue, language: customer.profile.preferredLanguage, at: issuedAt)
        let jws = try await services.receipts.sign(receipt)
        let event = ConsentEvent(
            customerID: customer.id, purpose: purpose.id, kind: ConsentEvent.Kind(rawValue: change.status.rawValue)!, occurredAt: issuedAt,
            channel: channel, expressedBy: .customer, noticeVersion: purpose.noticeVersion)
        try await services.consents.record(event, receipt: StoredReceipt(id: receiptID, purpose: purpose.id, issuedAt: issuedAt, jws: jws))
        try await audit(context, action: "consent.\(change.status.rawValue)", purpose: purpose.id)
        return Self.json(.object([
            ("purpose", .string(purpose.id)), ("status", .string(change.status.rawValue)), ("since", .string(ISOTimestamp.format(issuedAt))),
            ("noticeVersion", .string(purpose.noticeVersion)),
            ("receipt", .object([("id", .string(receiptID)), ("jws", .string(jws))])),
        ]))
    }

    /// The customer's signed receipts, newest first.
    @Sendable func receipts(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        let customer = try signedIn(context)
        let stored = try await services.consents.receipts(customerID: customer.id)
        return Self.json(.array(stored.map { receipt in
            .object([
                ("id", .string(receipt.id)), ("purpose", receipt.purpose.map(JSONValue.string) ?? .null),
                ("issuedAt", .string(ISOTimestamp.format(receipt.issuedAt))), ("jws", .string(receipt.jws)),
            ])
        }))
    }

    /// The public key that verifies receipts (no authentication: it is public).
    @Sendable func jwks(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        Self.json(services.receipts.jwks)
    }

    // MARK: Helpers

    private func signedIn(_ context: ConsentryRequestContext) throws -> Customer {
        guard let customer = context.customer else { throw ApiKeyAuthenticator.unauthorized("not signed in") }
        return customer
    }

    private func audit(_ context: ConsentryRequestContext, action: String, purpose: String? = nil, fields: [String] = []) async throws {
        guard let customer = context.customer else { return }
        try await services.audit.record(AuditEvent(
            actor: AuditActor(.customer, customer.id), action: action, customerID: customer.id, purpose: purpose, fields: fields,
            outcome: "succeeded", policyVersion: services.policies.policy.version, requestID: context.requestID))
    }

    /// Whole years since the birth date, or `nil` for organizations and unknown dates.
    static func age(of customer: Customer, at date: Date) -> Int? {
        guard case .individual(let person) = customer.profile.engagedParty, let birth = person.birthDate else { return nil }
        let parts = birth.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3 else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let today = calendar.dateComponents([.year, .month, .day], from: date)
        var age = today.year! - parts[0]
        if (today.month!, today.day!) < (parts[1], parts[2]) { age -= 1 }
        return age
    }

    static func json(_ value: JSONValue) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: value.bytes)))
    }
}

extension CustomerProfile {
    /// The party's preferred language, for customer-facing texts.
    var preferredLanguage: String? {
        switch engagedParty {
        case .individual(let person): person.preferredLanguage
        case .organization(let organization): organization.preferredLanguage
        }
    }
}
