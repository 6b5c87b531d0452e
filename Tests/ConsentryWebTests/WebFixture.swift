import ConsentryCore
import ConsentryCrypto
import ConsentryHTTP
import ConsentryPolicy
import ConsentryStore
import ConsentryTesting
import ConsentryWeb
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting

/// A real installation with synthetic customers, officer, operator and module keys, served
/// with the web pages on a free loopback port.
struct WebFixture: Sendable {
    let installation: TestInstallation
    let services: ConsentryServices
    let customers: [Customer]
    /// Principal id → API key: `officer`, `operator`, `customer-loyalty-management`...
    let keys: [String: String]

    static func make(customerCount: Int = 12) async throws -> WebFixture {
        let installation = try await TestInstallation.make()
        let services = ConsentryServices(
            database: installation.database, keys: installation.keys, policies: try PolicyRegistry(directory: RepositoryFixtures.policiesDirectory),
            apiKeys: ApiKeyStore(database: installation.database, cacheLifetime: .milliseconds(100)),
            receipts: try await ReceiptSigner.make(keyManager: installation.keys.current),
            erasureLedger: ErasureLedger(dataDirectory: installation.dataDirectory))
        var customers: [Customer] = []
        let generator = SyntheticCustomers()
        for index in 0..<customerCount { customers.append(try await installation.store.create(generator.draft(index))) }
        var keys: [String: String] = [:]
        for module in ["csr-toolbox", "customer-loyalty-management"] {
            keys[module] = try await services.apiKeys.create(for: Principal(kind: .module, id: module)).token
        }
        keys["operator"] = try await services.apiKeys.create(for: Principal(kind: .operator, id: "ops")).token
        keys["officer"] = try await services.apiKeys.create(for: Principal(kind: .officer, id: "dpo")).token
        return WebFixture(installation: installation, services: services, customers: customers, keys: keys)
    }

    /// An adult individual with a login subject.
    var adult: Customer {
        customers.first { customer in
            if case .individual = customer.profile.engagedParty { return (customer.profile.age(at: Date()) ?? 0) >= 18 && customer.profile.loginSubject != nil }
            return false
        }!
    }

    func withServer(settings: WebSettings? = nil, _ body: @Sendable (WebClient) async throws -> Void) async throws {
        let demo = try await DemoCustomer.list(customers: services.customers, database: installation.database, policy: services.policies.policy)
        let web = try await WebPages.make(services: services, settings: settings ?? WebSettings(demoCustomers: demo))
        let app = buildApplication(services: services, settings: ServerSettings(port: 0), surfaces: [web])
        try await app.test(.live) { client in try await body(WebClient(client)) }
        withExtendedLifetime(installation) {}
    }

    /// Signs `customer` in through the demo sign-in page, as a browser would.
    func signIn(_ browser: WebClient, as customer: Customer) async throws {
        let page = try await browser.get("/privacy")
        let response = try await browser.post(
            "/privacy/sign-in/demo", form: [("csrf", page.csrf ?? ""), ("subject", customer.profile.loginSubject!)])
        precondition(response.status == .seeOther, "demo sign-in failed: \(response.status)")
    }

    /// Signs an officer or operator in to the console with their key.
    func consoleSignIn(_ browser: WebClient, key: String) async throws -> TestResponse {
        let page = try await browser.get("/console")
        return try await browser.post("/console/sign-in", form: [("csrf", page.csrf ?? ""), ("key", key)])
    }

    func moduleRead(_ browser: WebClient, customer: Customer, module: String, purpose: String) async throws -> TestResponse {
        try await browser.client.execute(
            uri: "/tmf-api/customerManagement/v4/customer/\(customer.id)", method: .get,
            headers: [.authorization: "Bearer \(keys[module]!)", HTTPField.Name("X-Purpose")!: purpose], body: nil)
    }
}
