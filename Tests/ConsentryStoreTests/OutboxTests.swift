import ConsentryCore
import ConsentryPolicy
import ConsentryStore
import ConsentryTesting
import Foundation
import ConsentryStorage
import Testing
import ConsentryRecords

@Suite("Transactional outbox and the change journal")
struct OutboxTests {
    struct Setup {
        let installation: TestInstallation
        let journal: ChangeJournal
        let hub: EventHub
        let customers: [Customer]
    }

    func setUp(customers count: Int = 3) async throws -> Setup {
        let installation = try await TestInstallation.make()
        let policies = try PolicyRegistry(directory: RepositoryFixtures.policiesDirectory)
        let journal = ChangeJournal(
            audit: AuditLog(database: installation.database, keys: installation.keys), outbox: EventOutbox(database: installation.database),
            policy: { policies.policy })
        var customers: [Customer] = []
        for index in 0..<count { customers.append(try await installation.store.create(SyntheticCustomers().draft(index))) }
        return Setup(installation: installation, journal: journal, hub: EventHub(database: installation.database), customers: customers)
    }

    func count(_ setup: Setup, _ sql: String) async throws -> Int {
        try await setup.installation.database.read { db in try db.fetchValue(Int.self, sql)! }
    }

    func audit(_ customer: String, _ action: String) -> [AuditEvent] {
        [AuditEvent(actor: AuditActor(.customer, customer), action: AuditAction(rawValue: action), customerID: customer, outcome: "succeeded")]
    }

    @Test("each change, its audit entry and its event commit together; a failed change leaves none of them")
    func atomicity() async throws {
        let setup = try await setUp()
        let customer = setup.customers[0]
        try await setup.journal.record(
            ConsentEvent(customerID: customer.id, purpose: "direct-marketing", kind: .given, channel: .web), audit: audit(customer.id, "consent.given"), correlationID: "r1")
        #expect(try await count(setup, "SELECT COUNT(*) FROM consent_event") == 1)
        #expect(try await count(setup, "SELECT COUNT(*) FROM event_outbox") == 1)
        #expect(try await count(setup, "SELECT COUNT(*) FROM audit_entry WHERE action = 'consent.given'") == 1)

        await #expect(throws: StoreError.self) {
            try await setup.journal.record(
                ConsentEvent(customerID: "no-such-customer", purpose: "direct-marketing", kind: .withdrawn, channel: .web),
                audit: audit("no-such-customer", "consent.withdrawn"), correlationID: "r2")
        }
        #expect(try await count(setup, "SELECT COUNT(*) FROM consent_event") == 1)
        #expect(try await count(setup, "SELECT COUNT(*) FROM event_outbox") == 1)
        #expect(try await count(setup, "SELECT COUNT(*) FROM audit_entry WHERE action = 'consent.withdrawn'") == 0)
        #expect(try await AuditVerifier(database: setup.installation.database, keys: setup.installation.keys).verify().isIntact)
    }

    @Test("concurrent changes share commits, and each still gets its history row, event and audit entry")
    func groupCommit() async throws {
        let setup = try await setUp(customers: 5)
        let before = try await count(setup, "SELECT COUNT(*) FROM audit_checkpoint")
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<100 {
                let customer = setup.customers[index % 5]
                group.addTask {
                    try await setup.journal.record(
                        ConsentEvent(customerID: customer.id, purpose: "loyalty", kind: index % 2 == 0 ? .given : .withdrawn, channel: .app),
                        audit: audit(customer.id, "consent.changed"), correlationID: nil)
                }
            }
            try await group.waitForAll()
        }
        #expect(try await count(setup, "SELECT COUNT(*) FROM consent_event") == 100)
        #expect(try await count(setup, "SELECT COUNT(*) FROM event_outbox") == 100)
        #expect(try await count(setup, "SELECT COUNT(*) FROM audit_entry WHERE action = 'consent.changed'") == 100)
        let commits = try await count(setup, "SELECT COUNT(*) FROM audit_checkpoint") - before
        #expect(commits < 100, "changes were batched: \(commits) commits for 100 changes")
    }

    @Test("an event goes to the subscriptions whose query matches and whose module holds its purpose, and names no personal value")
    func fanOut() async throws {
        let setup = try await setUp()
        let customer = setup.customers[0]
        let loyalty = try await setup.hub.subscribe(moduleID: "customer-loyalty-management", callback: "https://loyalty.internal/e", query: "")
        let care = try await setup.hub.subscribe(moduleID: "csr-toolbox", callback: "https://care.internal/e", query: "")
        let billing = try await setup.hub.subscribe(moduleID: "billing-account-management", callback: "https://billing.internal/e", query: "eventType=ErasureRequestCreateEvent")
        try await setup.journal.record(
            ConsentEvent(customerID: customer.id, purpose: "direct-marketing", kind: .withdrawn, channel: .web), audit: audit(customer.id, "consent.withdrawn"), correlationID: nil)
        try await setup.journal.record(
            ConsentEvent(customerID: customer.id, purpose: nil, kind: .restriction, channel: .web), audit: audit(customer.id, "restriction.requested"), correlationID: nil)
        // Filed with the identity verified (an agent on the call): announced at once.
        var request = DataSubjectRequest(
            id: UUID().uuidString.lowercased(), customerID: customer.id, type: .erasure, receivedAt: Date(), channel: "web", filedBy: .agent)
        request.status = .identityVerified
        let (_, duplicate) = try await setup.journal.file(request, audit: audit(customer.id, "request.filed"), correlationID: nil)
        #expect(!duplicate)
        let again = DataSubjectRequest(
            id: UUID().uuidString.lowercased(), customerID: customer.id, type: .erasure, receivedAt: Date(), channel: "web", filedBy: .customer)
        #expect(try await setup.journal.file(again, audit: audit(customer.id, "request.filed"), correlationID: nil).duplicate)

        func received(_ subscription: EventSubscription) async throws -> [String] {
            try await setup.installation.database.read { db in
                try db.fetchColumn(String.self, "SELECT o.type FROM event_delivery d JOIN event_outbox o ON o.seq = d.event_seq WHERE d.subscription_id = ? ORDER BY o.seq", [subscription.id])
            }
        }
        #expect(try await received(loyalty) == ["ConsentChangeEvent", "ProcessingRestrictionChangeEvent", "ErasureRequestCreateEvent"])
        // csr-toolbox does not hold direct-marketing: it hears of the restriction and the erasure only.
        #expect(try await received(care) == ["ProcessingRestrictionChangeEvent", "ErasureRequestCreateEvent"])
        #expect(try await received(billing) == ["ErasureRequestCreateEvent"])
        #expect(try await count(setup, "SELECT COUNT(*) FROM event_outbox") == 3, "a duplicate request announces nothing")

        let envelopes = try await setup.installation.database.read { db in try db.fetchColumn(Data.self, "SELECT envelope FROM event_outbox") }
        for envelope in envelopes {
            let text = String(decoding: envelope, as: UTF8.self)
            for email in customer.profile.emails { #expect(!text.contains(email)) }
            if case .individual(let person) = customer.profile.engagedParty {
                #expect(!text.contains(person.familyName) && !text.contains(person.givenName))
            }
        }
    }
}
