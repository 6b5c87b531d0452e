import ConsentryCore
import ConsentryHTTP
import ConsentryStore
import ConsentryTesting
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// Every route × every kind of credential (none, unknown, revoked, module without and with the
/// purpose, operator, officer, customer token) → the exact status.
@Suite("Authorization matrix")
struct AuthorizationMatrixTests {
    enum Credential: String, CaseIterable {
        case none, unknownKey, revokedKey, moduleWithoutPurpose, moduleWithPurpose, operatorKey, officerKey, customerToken
    }

    struct Route: Sendable {
        var name: String
        var method: HTTPRequest.Method
        var uri: @Sendable (GuardedAPIFixture) -> String
        /// The module and purpose that may make this call.
        var allowed: (module: String, purpose: String)
        var body: (@Sendable (GuardedAPIFixture) -> String)?
        var ifMatch = false
        var success: HTTPResponse.Status = .ok
        /// For /admin: the operator is the right principal and any module is the wrong one.
        var admin = false
        /// For /self: only a customer token opens it.
        var selfService = false
        /// Module routes that read no customer data (the TMF644 specification): any module key.
        var purposeFree = false
        /// For /compliance: only an officer key opens it.
        var officer = false
    }

    static let api = GuardedAPIFixture.api
    static let routes: [Route] = [
        Route(name: "list customers", method: .get, uri: { _ in "\(api)/customer?limit=5" }, allowed: ("csr-toolbox", "customer-care")),
        Route(name: "get customer", method: .get, uri: { "\(api)/customer/\($0.customers[1].id)" }, allowed: ("csr-toolbox", "customer-care")),
        Route(name: "search customers", method: .get, uri: { "\(api)/customer?email=\($0.customers[2].profile.emails[0])" }, allowed: ("csr-toolbox", "customer-care")),
        Route(name: "search customers by body", method: .post, uri: { _ in "\(api)/customer/search" }, allowed: ("csr-toolbox", "customer-care"),
              body: { #"{"email":"\#($0.customers[2].profile.emails[0])"}"# }),
        Route(name: "create customer", method: .post, uri: { _ in "\(api)/customer" }, allowed: ("customer-order-management", "order-management"),
              body: { _ in try! String(decoding: SyntheticCustomers.jsonLine(SyntheticCustomers().draft(900).forOnboarding), as: UTF8.self) }, success: .created),
        Route(name: "patch customer", method: .patch, uri: { "\(api)/customer/\($0.customers[3].id)" }, allowed: ("csr-toolbox", "customer-care"),
              body: { _ in #"{"status":"active"}"# }, ifMatch: true),
        Route(name: "audience", method: .get, uri: { _ in "\(api)/audience?limit=5" }, allowed: ("customer-loyalty-management", "loyalty")),
        Route(name: "get individual", method: .get, uri: { f in "/tmf-api/partyManagement/v4/individual/\(f.customers.first { $0.profile.engagedParty.type == .individual }!.id)" },
              allowed: ("csr-toolbox", "customer-care")),
        Route(name: "list individuals", method: .get, uri: { _ in "/tmf-api/partyManagement/v4/individual?limit=3" }, allowed: ("csr-toolbox", "customer-care")),
        Route(name: "get organization", method: .get, uri: { f in "/tmf-api/partyManagement/v4/organization/\(f.customers.first { $0.profile.engagedParty.type == .organization }!.id)" },
              allowed: ("csr-toolbox", "customer-care")),
        Route(name: "list organizations", method: .get, uri: { _ in "/tmf-api/partyManagement/v4/organization?limit=3" }, allowed: ("csr-toolbox", "customer-care")),
        Route(name: "admin policy", method: .get, uri: { _ in "/admin/v1/policy" }, allowed: ("operator", ""), admin: true),
        Route(name: "admin reload", method: .post, uri: { _ in "/admin/v1/policy/reload" }, allowed: ("operator", ""), admin: true),
        Route(name: "privacy specifications", method: .get, uri: { _ in "/tmf-api/privacyManagement/v4/partyPrivacyProfileSpecification" },
              allowed: ("csr-toolbox", ""), purposeFree: true),
        Route(name: "privacy specification", method: .get, uri: { _ in "/tmf-api/privacyManagement/v4/partyPrivacyProfileSpecification/consentry-policy" },
              allowed: ("csr-toolbox", ""), purposeFree: true),
        Route(name: "privacy profile", method: .get, uri: { "/tmf-api/privacyManagement/v4/partyPrivacyProfile/\($0.customers[7].id)" },
              allowed: ("csr-toolbox", "customer-care")),
        Route(name: "patch privacy profile", method: .patch, uri: { "/tmf-api/privacyManagement/v4/partyPrivacyProfile/\($0.customers[7].id)" },
              allowed: ("csr-toolbox", "customer-care"),
              body: { _ in #"{"agentId":"a-1","partyPrivacyProfileCharacteristic":[{"privacyUsagePurpose":"direct-marketing","value":"refused"}]}"# }),
        Route(name: "privacy agreements", method: .get, uri: { "/tmf-api/privacyManagement/v4/partyPrivacyAgreement?applicableForParty.id=\($0.customers[7].id)" },
              allowed: ("csr-toolbox", "customer-care")),
        Route(name: "create privacy agreement", method: .post, uri: { _ in "/tmf-api/privacyManagement/v4/partyPrivacyAgreement" },
              allowed: ("csr-toolbox", "customer-care"),
              body: { f in #"{"applicableForParty":{"id":"\#(f.customers[7].id)"},"agentId":"a-1","partyPrivacyProfileCharacteristic":[{"privacyUsagePurpose":"direct-marketing","value":"refused"}]}"# },
              success: .created),
        Route(name: "privacy profiles", method: .get, uri: { _ in "/tmf-api/privacyManagement/v4/partyPrivacyProfile?limit=3" },
              allowed: ("csr-toolbox", "customer-care")),
        Route(name: "subscribe", method: .post, uri: { _ in "/tmf-api/privacyManagement/v4/hub" }, allowed: ("csr-toolbox", ""),
              body: { _ in #"{"callback":"http://127.0.0.1:9/events"}"# }, success: .created, purposeFree: true),
        Route(name: "my subscriptions", method: .get, uri: { _ in "/tmf-api/privacyManagement/v4/hub" }, allowed: ("csr-toolbox", ""), purposeFree: true),
        // By id: another module's (or no) subscription is 404 for every module; the point is who gets past authentication.
        Route(name: "a subscription", method: .get, uri: { _ in "/tmf-api/privacyManagement/v4/hub/none" }, allowed: ("csr-toolbox", ""),
              success: .notFound, purposeFree: true),
        Route(name: "end a subscription", method: .delete, uri: { _ in "/tmf-api/privacyManagement/v4/hub/none" }, allowed: ("csr-toolbox", ""),
              success: .notFound, purposeFree: true),
        Route(name: "acknowledge an event", method: .post, uri: { _ in "/tmf-api/privacyManagement/v4/event/none/acknowledgement" },
              allowed: ("csr-toolbox", ""), success: .notFound, purposeFree: true),
        Route(name: "admin subscriptions", method: .get, uri: { _ in "/admin/v1/events/subscriptions" }, allowed: ("operator", ""), admin: true),
        Route(name: "admin deliveries", method: .get, uri: { _ in "/admin/v1/events/deliveries?status=dead" }, allowed: ("operator", ""), admin: true),
        Route(name: "admin requeue", method: .post, uri: { _ in "/admin/v1/events/deliveries/requeue" }, allowed: ("operator", ""), admin: true),
        Route(name: "officer requests", method: .get, uri: { _ in "/compliance/v1/requests?overdue=true" }, allowed: ("", ""), officer: true),
        Route(name: "officer files a request", method: .post, uri: { _ in "/compliance/v1/requests" }, allowed: ("", ""),
              body: { f in #"{"customerId":"\#(f.customers[4].id)","type":"access","identityVerified":true}"# }, success: .created, officer: true),
        Route(name: "agent files a request", method: .post, uri: { _ in "/tmf-api/privacyManagement/v4/dataSubjectRequest" },
              allowed: ("csr-toolbox", "customer-care"), body: { f in #"{"customerId":"\#(f.customers[6].id)","type":"portability","agentId":"agent-1"}"# },
              success: .created),
        Route(name: "officer request", method: .get, uri: { _ in "/compliance/v1/requests/none" }, allowed: ("", ""), success: .notFound, officer: true),
        Route(name: "officer status", method: .post, uri: { _ in "/compliance/v1/requests/none/status" }, allowed: ("", ""),
              body: { _ in #"{"status":"identity_verified"}"# }, success: .notFound, officer: true),
        Route(name: "officer extension", method: .post, uri: { _ in "/compliance/v1/requests/none/extension" }, allowed: ("", ""),
              body: { _ in #"{"months":1,"reason":"complex"}"# }, success: .notFound, officer: true),
        Route(name: "officer erasure", method: .post, uri: { _ in "/compliance/v1/requests/none/erasure" }, allowed: ("", ""), success: .notFound, officer: true),
        Route(name: "erasure report", method: .get, uri: { "/compliance/v1/reports/erasure/\($0.customers[2].id)" }, allowed: ("", ""), success: .notFound, officer: true),
        Route(name: "access report", method: .get, uri: { "/compliance/v1/reports/access/\($0.customers[2].id)?format=html" }, allowed: ("", ""), officer: true),
        Route(name: "record of processing", method: .get, uri: { _ in "/compliance/v1/reports/record-of-processing?format=csv" }, allowed: ("", ""), officer: true),
        Route(name: "consent report", method: .get, uri: { _ in "/compliance/v1/reports/consents?purpose=loyalty" }, allowed: ("", ""), officer: true),
        Route(name: "request report", method: .get, uri: { _ in "/compliance/v1/reports/requests" }, allowed: ("", ""), officer: true),
        Route(name: "consent list", method: .get, uri: { _ in "/compliance/v1/consents?limit=5&format=csv" }, allowed: ("", ""), officer: true),
        Route(name: "audit search", method: .get, uri: { _ in "/compliance/v1/audit?module=csr-toolbox&limit=5" }, allowed: ("", ""), officer: true),
        Route(name: "audit verify", method: .get, uri: { _ in "/compliance/v1/audit/verify" }, allowed: ("", ""), officer: true),
        Route(name: "my data", method: .get, uri: { _ in "/self/v1/me" }, allowed: ("", ""), selfService: true),
        Route(name: "correct my contacts", method: .patch, uri: { _ in "/self/v1/me" }, allowed: ("", ""),
              body: { _ in #"{"contactMedium":[{"mediumType":"email","characteristic":{"emailAddress":"matrix@example.org"}}]}"# }, selfService: true),
        Route(name: "my consents", method: .get, uri: { _ in "/self/v1/me/consents" }, allowed: ("", ""), selfService: true),
        Route(name: "change my consent", method: .put, uri: { _ in "/self/v1/me/consents/loyalty" }, allowed: ("", ""),
              body: { _ in #"{"status":"given"}"# }, selfService: true),
        Route(name: "my receipts", method: .get, uri: { _ in "/self/v1/me/receipts" }, allowed: ("", ""), selfService: true),
        Route(name: "object", method: .put, uri: { _ in "/self/v1/me/objections/fraud-prevention" }, allowed: ("", ""), selfService: true),
        Route(name: "withdraw objection", method: .delete, uri: { _ in "/self/v1/me/objections/fraud-prevention" }, allowed: ("", ""), selfService: true),
        Route(name: "restrict", method: .put, uri: { _ in "/self/v1/me/restriction" }, allowed: ("", ""), selfService: true),
        Route(name: "lift restriction", method: .delete, uri: { _ in "/self/v1/me/restriction" }, allowed: ("", ""), selfService: true),
        Route(name: "export my data", method: .get, uri: { _ in "/self/v1/me/export?format=csv" }, allowed: ("", ""), selfService: true),
        Route(name: "my requests", method: .get, uri: { _ in "/self/v1/me/requests" }, allowed: ("", ""), selfService: true),
        Route(name: "file a request", method: .post, uri: { _ in "/self/v1/me/requests" }, allowed: ("", ""),
              body: { _ in #"{"type":"access"}"# }, success: .created, selfService: true),
        Route(name: "my dependants", method: .get, uri: { _ in "/self/v1/me/dependants" }, allowed: ("", ""), selfService: true),
        // Not this customer's dependant: 404 once signed in (only tokens get that far).
        Route(name: "a dependant's consents", method: .get, uri: { "/self/v1/me/dependants/\($0.customers[5].id)/consents" }, allowed: ("", ""),
              success: .notFound, selfService: true),
        Route(name: "change a dependant's consent", method: .put, uri: { "/self/v1/me/dependants/\($0.customers[5].id)/consents/loyalty" }, allowed: ("", ""),
              body: { _ in #"{"status":"given"}"# }, success: .notFound, selfService: true),
        Route(name: "dashboard", method: .get, uri: { _ in "/self/v1/me/dashboard" }, allowed: ("", ""), selfService: true),
        Route(name: "access history", method: .get, uri: { _ in "/self/v1/me/dashboard/access" }, allowed: ("", ""), selfService: true),
    ]

    static func expected(_ route: Route, _ credential: Credential) -> HTTPResponse.Status {
        if route.selfService { return credential == .customerToken ? route.success : .unauthorized }
        if route.officer {
            switch credential {
            case .officerKey: return route.success
            case .moduleWithPurpose, .moduleWithoutPurpose, .operatorKey: return .forbidden
            default: return .unauthorized
            }
        }
        if route.purposeFree {
            switch credential {
            case .moduleWithPurpose, .moduleWithoutPurpose: return route.success
            case .operatorKey, .officerKey: return .forbidden
            default: return .unauthorized
            }
        }
        switch credential {
        case .none, .unknownKey, .revokedKey: return .unauthorized
        case .moduleWithoutPurpose: return .forbidden
        case .moduleWithPurpose: return route.admin ? .forbidden : route.success
        case .operatorKey: return route.admin ? route.success : .forbidden
        case .officerKey: return .forbidden  // an officer key opens /compliance only
        case .customerToken: return .unauthorized  // a customer token is not an API key
        }
    }

    @Test("every route answers every credential with the exact status")
    func matrix() async throws {
        let fixture = try await GuardedAPIFixture.make()
        let person = fixture.customers.first { c in
            if case .individual(let p) = c.profile.engagedParty, let birth = p.birthDate { return birth < "2000" && c.profile.loginSubject != nil }
            return false
        }!
        let minter = try await CustomerTokenVerifier.make(TestServices.identity)
        let customerToken = try await minter.mint(subject: person.profile.loginSubject!)
        // The fixture's synthetic customers 0..11; the created one uses index 900 (a new externalId).
        try await fixture.withServer { client in
            var table: [String] = []
            for route in Self.routes {
                for credential in Credential.allCases {
                    var headers: HTTPFields = [:]
                    switch credential {
                    case .none: break
                    case .unknownKey: headers[.authorization] = "Bearer csk_000000000000_" + String(repeating: "A", count: 43)
                    case .revokedKey: headers[.authorization] = "Bearer " + fixture.revokedKey
                    case .moduleWithoutPurpose:
                        headers = route.selfService ? fixture.headers("bill-calculation", purpose: "billing")
                            : fixture.headers(route.admin || route.officer ? "csr-toolbox" : "bill-calculation", purpose: route.admin || route.officer ? nil : route.allowed.purpose)
                    case .moduleWithPurpose:
                        headers = route.admin || route.selfService || route.officer ? fixture.headers("csr-toolbox", purpose: "customer-care")
                            : fixture.headers(route.allowed.module, purpose: route.allowed.purpose)
                    case .operatorKey:
                        headers = fixture.headers("operator", purpose: route.admin ? nil : route.allowed.purpose)
                    case .officerKey:
                        headers = fixture.headers("officer", purpose: route.admin || route.officer ? nil : route.allowed.purpose)
                    case .customerToken:
                        headers = [.authorization: "Bearer \(customerToken)"]
                        if !route.admin && !route.selfService { headers[HTTPField.Name("X-Purpose")!] = route.allowed.purpose }
                    }
                    if route.ifMatch { headers[.ifMatch] = "*" }
                    if route.body != nil { headers[.contentType] = "application/json" }
                    let body = route.body.map { ByteBuffer(string: $0(fixture)) }
                    let response = try await client.execute(uri: route.uri(fixture), method: route.method, headers: headers, body: body)
                    let expected = Self.expected(route, credential)
                    if response.status != expected {
                        table.append("\(route.name) × \(credential.rawValue): \(response.status.code), expected \(expected.code): \(response.text.prefix(200))")
                    }
                    if response.status == .unauthorized { #expect(response.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true) }
                    if response.status.code >= 400 { #expect(response.headers[.contentType] == "application/problem+json") }
                    if credential == .moduleWithoutPurpose, !route.admin, !route.selfService, !route.purposeFree, !route.officer {
                        #expect(try response.problem().reason == "PURPOSE_NOT_ALLOWED_FOR_MODULE", "\(route.name)")
                    }
                }
            }
            #expect(table.isEmpty, "\(table.joined(separator: "\n"))")
        }
    }

    /// Module writes by category: (module, purpose, what it writes) → status and reason.
    @Test("module writes answer by category: each grant writes what it names and nothing else")
    func writesByCategory() async throws {
        let fixture = try await GuardedAPIFixture.make()
        let customer = fixture.customers[6]
        var media = customer.profile.contactMedium
        if let index = media.firstIndex(where: { $0.mediumType == .email }) { media[index].characteristic.emailAddress = "matrix.write@example.org" }
        let email = String(decoding: try JSONEncoder().encode(["contactMedium": media]), as: UTF8.self)
        var renamed = customer.profile.engagedParty
        if case .individual(var p) = renamed { p.familyName = "Renamed"; renamed = .individual(p) } else if case .organization(var o) = renamed { o.name = "Renamed"; renamed = .organization(o) }
        let rename = String(decoding: try JSONEncoder().encode(["engagedParty": renamed]), as: UTF8.self)
        func onboarding(_ change: (inout CustomerDraft) -> Void) throws -> String {
            var draft = SyntheticCustomers().draft(901).forOnboarding
            change(&draft)
            return String(decoding: try SyntheticCustomers.jsonLine(draft), as: UTF8.self)
        }
        let cases: [(module: String, purpose: String, method: HTTPRequest.Method, body: String, status: HTTPResponse.Status, reason: String?)] = [
            ("billing-account-management", "billing", .patch, rename, .forbidden, "CATEGORY_NOT_UPDATABLE"),
            ("csr-toolbox", "customer-care", .patch, #"{"status":"closed"}"#, .forbidden, "CATEGORY_NOT_UPDATABLE"),
            ("customer-order-management", "order-management", .patch, #"{"status":"inactive"}"#, .forbidden, "CATEGORY_NOT_UPDATABLE"),
            ("customer-order-management", "order-management", .post, try onboarding { $0.profile.loginSubject = "idp|matrix" }, .forbidden, "CATEGORY_NOT_IN_PURPOSE"),
            ("customer-order-management", "order-management", .post, try onboarding { $0.profile.characteristic = [Characteristic(name: "segment", value: "vip")] }, .forbidden, "CATEGORY_NOT_IN_PURPOSE"),
            ("csr-toolbox", "customer-care", .post, try onboarding { _ in }, .forbidden, "OPERATION_NOT_ALLOWED"),
            ("customer-order-management", "order-management", .post, try onboarding { _ in }, .created, nil),
            ("billing-account-management", "billing", .patch, email, .ok, nil),
        ]
        try await fixture.withServer { client in
            var table: [String] = []
            for (index, write) in cases.enumerated() {
                var headers = fixture.headers(write.module, purpose: write.purpose, extra: [.contentType: "application/json"])
                if write.method == .patch { headers[.ifMatch] = "*" }
                let uri = write.method == .post ? "\(Self.api)/customer" : "\(Self.api)/customer/\(customer.id)"
                let response = try await client.execute(uri: uri, method: write.method, headers: headers, body: ByteBuffer(string: write.body))
                let reason = try? response.problem().reason
                if response.status != write.status || reason != write.reason {
                    table.append("case \(index) \(write.module) \(write.method): \(response.status.code) \(reason ?? "-"), expected \(write.status.code) \(write.reason ?? "-")")
                }
            }
            #expect(table.isEmpty, "\(table.joined(separator: "\n"))")
        }
        #expect(try await fixture.installation.store.customer(id: customer.id)?.status == .active)
    }
}
