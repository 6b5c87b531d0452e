import ConsentryCore
import ConsentryCrypto
import ConsentryHTTP
import ConsentryPolicy
import ConsentryStore
import ConsentryTesting
import ConsentryStorage
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// Services over a real installation with the shipped Policies/.
enum TestServices {
    /// The identity provider of the tests: HS256 with a fixed test secret.
    static let identity = CustomerIdentitySettings(
        issuer: "https://idp.operator.example", audience: "consentry-self-service",
        hs256Secret: SecureBytes(copying: Array("test-only-secret-0123456789abcdef-0123456789".utf8)))

    /// Retries within tenths of a second, so that outages fit in a test.
    static let fastDelivery = DeliverySettings(
        schedule: RetrySchedule(initialDelay: .milliseconds(50), maximumDelay: .milliseconds(200), maxAttempts: 1000),
        requestTimeout: .seconds(2), lease: .seconds(1), idlePoll: .milliseconds(100),
        internalCallbackHosts: [CallbackHostPattern("127.0.0.1")!, CallbackHostPattern("localhost")!])

    static func make(
        _ installation: TestInstallation, policies: PolicyRegistry? = nil, delivery: DeliverySettings = fastDelivery, fourEyes: Bool = false
    ) async throws -> ConsentryServices {
        ConsentryServices(
            database: installation.database, keys: installation.keys,
            policies: try policies ?? PolicyRegistry(directory: RepositoryFixtures.policiesDirectory),
            apiKeys: ApiKeyStore(database: installation.database, cacheLifetime: .milliseconds(100)),
            customerTokens: try await CustomerTokenVerifier.make(identity),
            receipts: try await ReceiptSigner.make(keyManager: installation.keys.current), delivery: delivery,
            erasureLedger: ErasureLedger(dataDirectory: installation.dataDirectory), fourEyes: fourEyes)
    }
}

/// A running server on loopback with some customers, module keys and consents.
struct GuardedAPIFixture: Sendable {
    let installation: TestInstallation
    let services: ConsentryServices
    let customers: [Customer]
    /// Principal id → API key.
    let keys: [String: String]
    let revokedKey: String

    static let api = "/tmf-api/customerManagement/v4"

    static func make(customerCount: Int = 12, delivery: DeliverySettings = TestServices.fastDelivery) async throws -> GuardedAPIFixture {
        let installation = try await TestInstallation.make()
        let services = try await TestServices.make(installation, delivery: delivery)
        var customers: [Customer] = []
        let generator = SyntheticCustomers()
        for index in 0..<customerCount { customers.append(try await installation.store.create(generator.draft(index))) }
        var keys: [String: String] = [:]
        for module in ["csr-toolbox", "customer-loyalty-management", "customer-order-management", "billing-account-management", "bill-calculation"] {
            keys[module] = try await services.apiKeys.create(for: Principal(kind: .module, id: module)).token
        }
        keys["operator"] = try await services.apiKeys.create(for: Principal(kind: .operator, id: "ops")).token
        keys["officer"] = try await services.apiKeys.create(for: Principal(kind: .officer, id: "dpo")).token
        let revoked = try await services.apiKeys.create(for: Principal(kind: .module, id: "csr-toolbox"))
        try await services.apiKeys.revoke(revoked.key.id)
        return GuardedAPIFixture(installation: installation, services: services, customers: customers, keys: keys, revokedKey: revoked.token)
    }

    func headers(_ principal: String?, purpose: String?, extra: HTTPFields = [:]) -> HTTPFields {
        var headers = extra
        if let principal { headers[.authorization] = "Bearer " + (keys[principal] ?? principal) }
        if let purpose { headers[HTTPField.Name("X-Purpose")!] = purpose }
        return headers
    }

    /// Runs `body` against a real HTTP server on a free loopback port.
    func withServer(_ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let app = buildApplication(services: services, settings: ServerSettings(port: 0))
        // Every TMF response is checked against the official documents as it arrives.
        try await app.test(.live) { client in try await body(TMFCheckingClient(base: client)) }
        withExtendedLifetime(installation) {}
    }

    func auditCount() async throws -> Int {
        try await installation.database.read { db in try db.fetchValue(Int.self, "SELECT COUNT(*) FROM audit_entry")! }
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }

    func json() throws -> JSONValue { try JSONValue.parse(Array(text.utf8)) }

    func problem() throws -> ProblemDetails { try JSONDecoder().decode(ProblemDetails.self, from: Data(text.utf8)) }
}

extension JSONValue {
    /// The element at `index` of an array, for tests.
    subscript(index: Int) -> JSONValue? {
        guard case .array(let items) = self, items.indices.contains(index) else { return nil }
        return items[index]
    }
}

extension CustomerDraft {
    /// What an order module onboards: only the categories its purpose (order-management)
    /// uses, so no gender, nationality, characteristics or login subject.
    var forOnboarding: CustomerDraft {
        var draft = self
        if case .individual(var person) = draft.profile.engagedParty {
            person.gender = nil
            person.nationality = nil
            draft.profile.engagedParty = .individual(person)
        }
        draft.profile.characteristic = []
        draft.profile.loginSubject = nil
        return draft
    }
}
