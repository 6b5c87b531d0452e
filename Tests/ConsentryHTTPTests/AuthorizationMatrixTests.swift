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

/// Every route × every kind of credential → the exact status.
@Suite("Authorization matrix")
struct AuthorizationMatrixTests {
    enum Credential: String, CaseIterable {
        case none, unknownKey, revokedKey, moduleWithoutPurpose, moduleWithPurpose, operatorKey
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
    }

    static let api = GuardedAPIFixture.api
    static let routes: [Route] = [
        Route(name: "list customers", method: .get, uri: { _ in "\(api)/customer?limit=5" }, allowed: ("csr-toolbox", "customer-care")),
        Route(name: "get customer", method: .get, uri: { "\(api)/customer/\($0.customers[1].id)" }, allowed: ("csr-toolbox", "customer-care")),
        Route(name: "search customers", method: .get, uri: { "\(api)/customer?email=\($0.customers[2].profile.emails[0])" }, allowed: ("csr-toolbox", "customer-care")),
        Route(name: "create customer", method: .post, uri: { _ in "\(api)/customer" }, allowed: ("customer-order-management", "order-management"),
              body: { _ in try! String(decoding: SyntheticCustomers.jsonLine(SyntheticCustomers().draft(900)), as: UTF8.self) }, success: .created),
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
    ]

    static func expected(_ route: Route, _ credential: Credential) -> HTTPResponse.Status {
        switch credential {
        case .none, .unknownKey, .revokedKey: return .unauthorized
        case .moduleWithoutPurpose: return .forbidden
        case .moduleWithPurpose: return route.admin ? .forbidden : route.success
        case .operatorKey: return route.admin ? route.success : .forbidden
        }
    }

    @Test("every route answers every credential with the exact status")
    func matrix() async throws {
        let fixture = try await GuardedAPIFixture.make()
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
                        headers = fixture.headers(route.admin ? "csr-toolbox" : "bill-calculation", purpose: route.admin ? nil : route.allowed.purpose)
                    case .moduleWithPurpose:
                        headers = route.admin ? fixture.headers("csr-toolbox", purpose: "customer-care")
                            : fixture.headers(route.allowed.module, purpose: route.allowed.purpose)
                    case .operatorKey:
                        headers = fixture.headers("operator", purpose: route.admin ? nil : route.allowed.purpose)
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
                    if credential == .moduleWithoutPurpose, !route.admin {
                        #expect(try response.problem().reason == "PURPOSE_NOT_ALLOWED_FOR_MODULE", "\(route.name)")
                    }
                }
            }
            #expect(table.isEmpty, "\(table.joined(separator: "\n"))")
        }
    }
}
