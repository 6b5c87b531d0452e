import ConsentryCore
import ConsentryHTTP
import ConsentryPolicy
import ConsentryPostgres
import ConsentryStorage
import ConsentryStore
import ConsentryTesting
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Synchronization
import Testing

/// Two servers, each with its own engine (own connections, own caches, own deliverer), on
/// one PostgreSQL database: what one server promises, the fleet must keep.
@Suite(
    "A fleet: two servers on one PostgreSQL database",
    .enabled(if: TestEngine.current == .postgres, "needs PostgreSQL: scripts/test.sh runs it in the suite's PostgreSQL pass"))
struct FleetTests {
    static let api = GuardedAPIFixture.api

    @Test("concurrent consent changes and reads through both servers: one intact audit chain, each event delivered once, a revocation on one server refused by the other within 1 s")
    func fleet() async throws {
        let fixture = try await GuardedAPIFixture.make(customerCount: 16)
        // Server B: the same installation opened again, as a second process would. Its key
        // cache lives a minute, so only the database's signal can explain a prompt refusal.
        let (databaseB, keysB) = try await fixture.installation.dataDirectory.open()
        let servicesB = ConsentryServices(
            database: databaseB, keys: keysB, policies: try PolicyRegistry(directory: RepositoryFixtures.policiesDirectory),
            apiKeys: ApiKeyStore(database: databaseB, cacheLifetime: .seconds(60)),
            customerTokens: try await CustomerTokenVerifier.make(TestServices.identity),
            receipts: try await ReceiptSigner.make(keyManager: keysB.current), delivery: TestServices.fastDelivery,
            erasureLedger: ErasureLedger(dataDirectory: fixture.installation.dataDirectory))
        let receiver = EventReceiver()
        try await receiver.start()
        defer { Task { await receiver.stop() } }
        let people = fixture.customers.filter { $0.profile.loginSubject != nil && (SelfServiceTests.age($0) ?? 0) > 20 }
        try #require(people.count >= 4)
        let selfService = SelfServiceTests()
        var tokens: [String] = []
        for person in people { tokens.append(try await selfService.token(subject: person.profile.loginSubject!)) }
        let allTokens = tokens

        let appA = buildApplication(services: fixture.services, settings: ServerSettings(port: 0, logLevel: .critical))
        let appB = buildApplication(services: servicesB, settings: ServerSettings(port: 0, logLevel: .critical))
        try await appA.test(.live) { a in
            try await appB.test(.live) { b in
                _ = try await EventDeliveryTests().subscribe(
                    a, fixture, module: "customer-loyalty-management", callback: receiver.callback, query: "eventType=ConsentChangeEvent&purpose=direct-marketing")
                // 4 rounds of consent changes per customer, alternating servers, beside module reads on both.
                let rounds = 4
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for (index, token) in allTokens.enumerated() {
                        group.addTask {
                            for round in 0..<rounds {
                                let client: any TestClientProtocol = (index + round) % 2 == 0 ? a : b
                                let response = try await client.execute(
                                    uri: "/self/v1/me/consents/direct-marketing", method: .put,
                                    headers: [.authorization: "Bearer \(token)", .contentType: "application/json"],
                                    body: ByteBuffer(string: round % 2 == 0 ? #"{"status":"given"}"# : #"{"status":"withdrawn"}"#))
                                #expect(response.status == .ok, "\(response.text)")
                            }
                        }
                    }
                    for (index, customer) in fixture.customers.enumerated() {
                        group.addTask {
                            let client: any TestClientProtocol = index % 2 == 0 ? a : b
                            let read = try await client.execute(
                                uri: "\(Self.api)/customer/\(customer.id)", method: .get, headers: fixture.headers("csr-toolbox", purpose: "customer-care"))
                            #expect(read.status == .ok)
                        }
                    }
                    try await group.waitForAll()
                }
                let changes = allTokens.count * rounds
                // Each event reaches the subscriber exactly once, whichever deliverer claimed it.
                let delivered = try await receiver.waitFor(timeout: .seconds(30)) { $0.count >= changes }
                try await Task.sleep(for: .seconds(1))  // a duplicate would arrive by now (deliverers poll every 100 ms)
                let ids = receiver.deliveries.compactMap { try? JSONValue.parse($0.body)["eventId"]?.stringValue }
                #expect(delivered.count >= changes)
                #expect(ids.count == changes, "deliveries: \(ids.count), changes: \(changes)")
                #expect(Set(ids).count == ids.count, "no event delivered twice")

                // A revocation through server A is refused by server B at once (its cache holds the key for a minute).
                let (token, key) = try await fixture.services.apiKeys.create(for: Principal(kind: .module, id: "csr-toolbox"))
                let headers: HTTPFields = [.authorization: "Bearer \(token)", HTTPField.Name("X-Purpose")!: "customer-care"]
                let warm = try await b.execute(uri: "\(Self.api)/customer/\(fixture.customers[0].id)", method: .get, headers: headers)
                #expect(warm.status == .ok)
                try await fixture.services.apiKeys.revoke(key.id)
                let revokedAt = ContinuousClock.now
                var refused = false
                while ContinuousClock.now - revokedAt < .seconds(1) {
                    let attempt = try await b.execute(uri: "\(Self.api)/customer/\(fixture.customers[0].id)", method: .get, headers: headers)
                    if attempt.status == .unauthorized {
                        refused = true
                        break
                    }
                    try await Task.sleep(for: .milliseconds(20))
                }
                #expect(refused, "server B still accepted a key revoked through server A after 1 s")
            }
        }
        // One chain, written by both servers' group commits, verifies end to end.
        let report = try await AuditVerifier(database: databaseB, keys: keysB).verify()
        #expect(report.isIntact, "\(report.problem.map(\.description) ?? "")")
        #expect(report.entries > Int64(allTokens.count * 4 + fixture.customers.count))
    }

    @Test("a server that loses its database answers 503 on /health/ready and recovers by itself when the database is back")
    func databaseLoss() async throws {
        let fixture = try await GuardedAPIFixture.make(customerCount: 1)
        let url = try #require(fixture.installation.dataDirectory.databaseURL)
        let name = String(try #require(URLComponents(string: url)).path.dropFirst())
        let admin = try await PostgresEngine.open(url: TestEngine.postgresServerURL, size: 1)
        defer { try? admin.close() }
        @Sendable func allowConnections(_ allowed: Bool) async throws {
            _ = try await admin.writeWithoutTransaction { db in
                try db.execute("ALTER DATABASE \(name) WITH ALLOW_CONNECTIONS \(allowed)", [])
                if !allowed {
                    try db.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ? AND pid <> pg_backend_pid()", [name])
                }
            }
        }
        @Sendable func waitForReady(_ client: any TestClientProtocol, _ status: HTTPResponse.Status) async throws -> Bool {
            let deadline = ContinuousClock.now + .seconds(5)
            while ContinuousClock.now < deadline {
                if try await client.execute(uri: "/health/ready", method: .get).status == status { return true }
                try await Task.sleep(for: .milliseconds(50))
            }
            return false
        }
        try await fixture.withServer { client in
            #expect(try await waitForReady(client, .ok))
            try await allowConnections(false)
            #expect(try await waitForReady(client, .serviceUnavailable), "the lost database is reported")
            try await allowConnections(true)
            #expect(try await waitForReady(client, .ok), "the server reconnects by itself")
            let read = try await client.execute(
                uri: "\(Self.api)/customer/\(fixture.customers[0].id)", method: .get, headers: fixture.headers("csr-toolbox", purpose: "customer-care"))
            #expect(read.status == .ok)
        }
    }
}
