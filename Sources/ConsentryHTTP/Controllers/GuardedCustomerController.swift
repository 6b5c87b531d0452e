import ConsentryCore
import ConsentryPolicy
import ConsentryStore
import ConsentryUseCases
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Prometheus
import ConsentryRecords

/// The guarded data API for modules: TMF629 customers and TMF632 parties, each request for a
/// declared purpose, each customer through the decision engine, each decision audited before
/// the response leaves.
///
/// | route | auth | purpose rule |
/// |---|---|---|
/// | `GET .../customer`, `.../individual`, `.../organization` | module key | `read` (list) or `search` (one of email, phone, nationalId; the purpose must use its category) |
/// | `GET .../customer/{id}` and the party equivalents | module key | `read` |
/// | `GET .../audience` | module key | `audience`; consent purposes list only customers who gave it |
/// | `POST .../customer`, `.../individual`, `.../organization` | module key | `create` |
/// | `PATCH .../customer/{id}` and the party equivalents | module key | `update`, for the categories the purpose may update; `If-Match` required |
/// | `DELETE .../customer/{id}` and the party equivalents | module key | `recordConsent` (acting for the customer): files an erasure request |
struct GuardedCustomerController {
    let apiKeys: ApiKeyStore
    let gate: PurposeGate
    let reads: GuardedReads
    let maintenance: CustomerMaintenance
    let requestFiling: RequestFiling

    static let customerBase = "/tmf-api/customerManagement/v4/customer"
    static let audienceBase = "/tmf-api/customerManagement/v4/audience"
    /// TMF632's official base path; `/tmf-api/partyManagement/v4` is served as an alias
    /// (the path of Consentry's first release).
    static let partyBase = "/tmf-api/party/v4"
    static let partyAliasBase = "tmf-api/partyManagement/v4"
    static let maximumLimit = 1000

    func addRoutes(to router: Router<ConsentryRequestContext>) {
        let auth = ApiKeyAuthenticator(keys: apiKeys, kinds: [.module])
        let customers = router.group("tmf-api/customerManagement/v4").add(middleware: auth)
        customers.get("customer", use: list)
        customers.post("customer", use: create)
        customers.post("customer/search", use: searchByBody)
        customers.get("customer/{id}", use: get)
        customers.patch("customer/{id}", use: { request, context in try await self.patch(request, context, partyType: nil) })
        customers.delete("customer/{id}", use: { request, context in try await self.delete(request, context, partyType: nil) })
        customers.get("audience", use: audience)
        for base in [String(Self.partyBase.dropFirst()), Self.partyAliasBase] {
            let parties = router.group(RouterPath(base)).add(middleware: auth)
            for type in PartyType.allCases {
                parties.get(RouterPath(type.pathComponent), use: { request, context in try await self.list(request, context, partyType: type) })
                parties.get(RouterPath("\(type.pathComponent)/{id}"), use: { request, context in try await self.get(request, context, partyType: type) })
                parties.post(RouterPath(type.pathComponent), use: { request, context in try await self.createParty(request, context, type: type) })
                parties.patch(RouterPath("\(type.pathComponent)/{id}"), use: { request, context in try await self.patch(request, context, partyType: type) })
                parties.delete(RouterPath("\(type.pathComponent)/{id}"), use: { request, context in try await self.delete(request, context, partyType: type) })
            }
        }
    }

    // MARK: Reads

    @Sendable func get(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        try await get(request, context, partyType: nil)
    }

    func get(_ request: Request, _ context: ConsentryRequestContext, partyType: PartyType?) async throws -> Response {
        let id = try context.parameters.require("id")
        let call = try await begin(request, context, operation: .read, allowedQuery: ["fields"], customerID: id)
        let view = try view(request, partyType: partyType)
        let disclosure = try await reads.read(call, id: id, selection: view.selection, partyType: partyType)
        var response = Response.json(bytes: view.render(disclosure.customer, decision: disclosure.decision).bytes)
        response.headers[.eTag] = "\"\(disclosure.customer.version)\""
        return response
    }

    @Sendable func list(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        try await list(request, context, partyType: nil)
    }

    /// List (`offset`, `limit`, or `after` a cursor), with TMF630 attribute filters on what is
    /// not personal data (`status=`, `@type=` / `engagedParty.@referredType=`), or exact
    /// search (`email`, `phone` or `nationalId`).
    func list(_ request: Request, _ context: ConsentryRequestContext, partyType: PartyType?) async throws -> Response {
        let query = request.uri.queryParameters
        let searches: [(String, BlindIndexField)] = [("email", .email), ("phone", .phone), ("nationalId", .nationalId)]
        let present = searches.filter { query[$0.0[...]] != nil }
        guard present.count <= 1 else { throw Self.badParameter("search by one of email, phone or nationalId at a time") }
        let view = try view(request, partyType: partyType)
        let offset = try Self.integer(query["offset"], name: "offset", default: 0, range: 0...Int.max)
        let limit = try Self.integer(query["limit"], name: "limit", default: 100, range: 1...Self.maximumLimit)
        let disclosures: [Disclosure]
        var total: Int?
        var next: String?
        if let (name, field) = present.first {
            let call = try await begin(request, context, operation: .search, allowedQuery: ["fields", "email", "phone", "nationalId"])
            disclosures = try await search(call, name: name, field: field, value: String(query[name[...]] ?? ""), view: view, partyType: partyType)
            total = disclosures.count
        } else if let after = query["after"].map(String.init) {
            // A keyset page: the same cost at any depth, and no total (counting is what grows).
            let call = try await begin(request, context, operation: .read, allowedQuery: Self.filterNames.union(["fields", "after", "limit"]))
            guard after.count <= 64 else { throw Self.badParameter("after must be a cursor from X-Next-Cursor") }
            let filter = try Self.filter(request, partyType: partyType)
            (disclosures, next) = try await reads.page(call, after: after, limit: limit, selection: view.selection, filter: filter)
        } else {
            let call = try await begin(request, context, operation: .read, allowedQuery: Self.filterNames.union(["fields", "offset", "limit"]))
            let filter = try Self.filter(request, partyType: partyType)
            (total, disclosures) = try await reads.list(call, offset: offset, limit: limit, selection: view.selection, filter: filter)
        }
        var response = Response.json(bytes: JSONValue.array(disclosures.map { view.render($0.customer, decision: $0.decision) }).bytes)
        if let total { response.headers[.totalCount] = String(total) }
        response.headers[.resultCount] = String(disclosures.count)
        if let next {
            response.headers[.nextCursor] = next
            // The filters are validated enum values: safe to repeat in the link.
            let filters = Self.filterNames.sorted().compactMap { name in query[name[...]].map { "&\(name)=\($0)" } }.joined()
            response.headers[.link] = "<\(request.uri.path)?limit=\(limit)\(filters)&after=\(next)>; rel=\"next\""
        }
        return response
    }

    /// Exact search with the value in the body (`{"email": "..."}`, `phone` or `nationalId`),
    /// so that it never reaches a proxy's or load balancer's access log as a query string.
    @Sendable func searchByBody(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        let call = try await begin(request, context, operation: .search, allowedQuery: ["fields"])
        let body = try await request.body.collect(upTo: context.maxUploadSize)
        let criteria = try JSONDecoder().decode(SearchCriteria.self, from: Data(body.readableBytesView))
        let view = try view(request, partyType: nil)
        let disclosures = try await search(call, name: criteria.name, field: criteria.field, value: criteria.value, view: view, partyType: nil)
        var response = Response.json(bytes: JSONValue.array(disclosures.map { view.render($0.customer, decision: $0.decision) }).bytes)
        response.headers[.totalCount] = String(disclosures.count)
        response.headers[.resultCount] = String(disclosures.count)
        return response
    }

    /// One of `email`, `phone`, `nationalId`, and nothing else.
    struct SearchCriteria: Decodable {
        var name: String
        var field: BlindIndexField
        var value: String

        enum CodingKeys: String, CodingKey, CaseIterable { case email, phone, nationalId }
        init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(allowed: CodingKeys.names())
            let c = try decoder.container(keyedBy: CodingKeys.self)
            try c.rejectNulls()
            let given = try CodingKeys.allCases.compactMap { key in try c.decodeIfPresent(String.self, forKey: key).map { (key, $0) } }
            guard given.count == 1, let (key, value) = given.first else {
                throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "give exactly one of email, phone or nationalId"))
            }
            name = key.rawValue
            field = switch key {
            case .email: .email
            case .phone: .phone
            case .nationalId: .nationalId
            }
            self.value = value
        }
    }

    private func search(
        _ call: ModuleCall, name: String, field: BlindIndexField, value: String, view: GuardedCustomerView, partyType: PartyType?
    ) async throws -> [Disclosure] {
        guard !value.isEmpty, value.count <= 320 else {
            // The category check comes first: a refused purpose learns nothing about the value's shape.
            let category = call.engine.policy.category(of: field.policyField)
            if call.grant.purpose.categories[category] == nil { try await call.denied(.categoryNotInPurpose) }
            throw Self.badParameter("\(name) must be 1 to 320 characters")
        }
        return try await reads.search(call, field: field, value: value, selection: view.selection, partyType: partyType)
    }

    /// The customers the declared purpose may be used for now, a page at a time
    /// (`after` = the `X-Next-Cursor` of the previous page).
    @Sendable func audience(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        let call = try await begin(request, context, operation: .audience, allowedQuery: ["fields", "limit", "after"])
        let query = request.uri.queryParameters
        let view = try view(request, partyType: nil)
        let limit = try Self.integer(query["limit"], name: "limit", default: 100, range: 1...Self.maximumLimit)
        let after = query["after"].map(String.init)
        if let after, after.count > 64 { throw Self.badParameter("after must be a cursor from X-Next-Cursor") }
        let (disclosures, next) = try await reads.audience(call, after: after, limit: limit, selection: view.selection)
        var response = Response.json(bytes: JSONValue.array(disclosures.map { view.render($0.customer, decision: $0.decision) }).bytes)
        response.headers[.resultCount] = String(disclosures.count)
        if let next {
            response.headers[.nextCursor] = next
            response.headers[.link] = "<\(Self.audienceBase)?limit=\(limit)&after=\(next)>; rel=\"next\""
        }
        return response
    }

    // MARK: Request plumbing

    /// Rejects unknown query parameters, then opens the call through the purpose gate.
    func begin(
        _ request: Request, _ context: ConsentryRequestContext, operation: ModuleOperation, allowedQuery: Set<String>, customerID: String? = nil
    ) async throws -> ModuleCall {
        for (name, _) in request.uri.queryParameters where !allowedQuery.contains(String(name)) {
            // The caller's text is never echoed: name what the route takes instead.
            throw Self.badParameter("an unknown query parameter; this route takes \(allowedQuery.isEmpty ? "none" : allowedQuery.sorted().joined(separator: ", "))")
        }
        guard let principal = context.principal else { throw ApiKeyAuthenticator.unauthorized("no credential") }
        return try await gate.open(
            module: principal.id, purpose: request.headers[.purpose], operation: operation, requestID: context.requestID, customerID: customerID)
    }

    func view(_ request: Request, partyType: PartyType?) throws -> GuardedCustomerView {
        let fields = request.uri.queryParameters["fields"].map(String.init)
        do {
            let selection = try FieldSelection(parameter: fields, partyResource: partyType != nil)
            let schemaLocation = request.origin + GuardedCustomerView.schemaPath
            if let partyType {
                let name = partyType == .individual ? "individual" : "organization"
                return GuardedCustomerView(resource: .party, hrefBase: "\(Self.partyBase)/\(name)", schemaLocation: schemaLocation, selection: selection)
            }
            return GuardedCustomerView(
                resource: .customer, hrefBase: Self.customerBase, partyHrefBase: Self.partyBase, schemaLocation: schemaLocation, selection: selection)
        } catch {
            throw Self.badParameter("fields names an unknown attribute; the resource's attributes are in /openapi.yaml")
        }
    }

    /// The TMF630 filters a list takes.
    static let filterNames: Set<String> = ["status", "@type", "engagedParty.@referredType"]

    /// The list filter of a request; on a party path the path's type, which `@type` may repeat.
    static func filter(_ request: Request, partyType: PartyType?) throws -> CustomerListFilter {
        let query = request.uri.queryParameters
        var filter = CustomerListFilter(partyType: partyType)
        if let text = query["status"] {
            guard let status = CustomerStatus(rawValue: String(text)) else {
                throw badParameter("status must be one of \(CustomerStatus.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            filter.status = status
        }
        for name in ["@type", "engagedParty.@referredType"] {
            guard let text = query[name[...]] else { continue }
            // On the customer resource `@type` is Customer; the party's type filters.
            if partyType == nil, name == "@type", text == "Customer" { continue }
            guard let type = PartyType(rawValue: String(text)), partyType == nil || partyType == type else {
                throw badParameter("\(name) must be \(partyType.map { $0.rawValue } ?? "Individual or Organization") here")
            }
            filter.partyType = type
        }
        return filter
    }

    static func badParameter(_ detail: String) -> ProblemDetails {
        ProblemDetails(status: .badRequest, code: "invalid_parameter", detail: detail)
    }

    static func integer(_ text: Substring?, name: String, default value: Int, range: ClosedRange<Int>) throws -> Int {
        guard let text else { return value }
        guard let number = Int(text), range.contains(number) else {
            throw badParameter("\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound == Int.max ? "any" : String(range.upperBound))")
        }
        return number
    }

    /// An ISO 8601 time parameter (`2026-11-01T00:00:00Z`), or `nil` when absent.
    static func timestamp(_ text: Substring?, name: String) throws -> Date? {
        guard let text else { return nil }
        guard let date = ISO8601DateFormatter().date(from: String(text)) else {
            throw badParameter("\(name) must be an ISO 8601 time such as 2026-11-01T00:00:00Z")
        }
        return date
    }

    static func etagMatches(_ header: String, version: Int) -> Bool {
        header.split(separator: ",").contains { tag in
            let trimmed = tag.trimmingCharacters(in: .whitespaces)
            return trimmed == "*" || trimmed == "\"\(version)\"" || trimmed == "W/\"\(version)\""
        }
    }
}

extension HTTPField.Name {
    static let purpose = Self("X-Purpose")!
    static let totalCount = Self("X-Total-Count")!
    static let resultCount = Self("X-Result-Count")!
    static let nextCursor = Self("X-Next-Cursor")!
    static let link = Self("Link")!
}
