import ConsentryCore
import ConsentryPolicy
import ConsentryPostgres
import ConsentryStorage
@testable import ConsentryStore
import ConsentryTesting
import Foundation
import Testing
import ConsentryRecords

@Suite(
    "Moving an installation from SQLite to PostgreSQL",
    .enabled(if: TestEngine.current == .postgres, "needs PostgreSQL: scripts/test.sh runs it in the suite's PostgreSQL pass"))
struct StoreCopierTests {
    @Test("every row is copied as is: customers open with the same keys, the chain verifies with the same head, counters continue")
    func copy() async throws {
        let source = try await TestInstallation.make(engine: .sqlite)
        let policies = try PolicyRegistry(directory: RepositoryFixtures.policiesDirectory)
        let journal = ChangeJournal(
            audit: AuditLog(database: source.database, keys: source.keys), outbox: EventOutbox(database: source.database),
            policy: { policies.policy })
        var customers: [Customer] = []
        for index in 0..<25 { customers.append(try await source.store.create(SyntheticCustomers().draft(index))) }
        for customer in customers.prefix(10) {
            try await journal.record(
                ConsentEvent(customerID: customer.id, purpose: "direct-marketing", kind: .given, channel: .web),
                audit: [AuditEvent(actor: AuditActor(.customer, customer.id), action: AuditAction(rawValue: "consent.given"), customerID: customer.id, outcome: "succeeded")],
                correlationID: nil)
        }
        let sourceHead = try await AuditVerifier(database: source.database, keys: source.keys).verify()
        #expect(sourceHead.isIntact && sourceHead.entries == 10)

        let target = AppDatabase(engine: try await PostgresEngine.open(url: try await TestEngine.makePostgresDatabase()))
        let report = try await StoreCopier(source: source.database, target: target, batchSize: 7).run()
        #expect(report.rows["customer"] == 25)
        #expect(report.rows["consent_event"] == 10)
        #expect(report.rows["event_outbox"] == 10)
        #expect((report.rows["blind_index"] ?? 0) > 25)
        #expect(report.rows["key_state"] == 1, "the active KEK version travels with the data")

        // The same key source opens the copy; the bytes are the same, so nothing was re-encrypted.
        let keys = try await KeyProvider.load(source: source.dataDirectory.keySource, database: target)
        let copied = EncryptedCustomerStore(database: target, keys: keys)
        for customer in customers { #expect(try await copied.customer(id: customer.id) == customer) }
        let email = try #require(customers[3].profile.emails.first)
        #expect(try await copied.customers(where: .email, equals: email).map(\.id) == [customers[3].id])
        let firstID = customers[0].id
        let sealed = { (database: AppDatabase) in
            try await database.read { db in try db.fetchValue(Data.self, "SELECT sealed_fields FROM customer WHERE id = ?", [firstID]) }
        }
        #expect(try await sealed(source.database) == sealed(target))
        let targetHead = try await AuditVerifier(database: target, keys: keys).verify()
        #expect(targetHead.isIntact)
        #expect(targetHead.headHash == sourceHead.headHash && targetHead.headSeq == sourceHead.headSeq)

        // Counters continue after the copied rows: the next change appends, it does not collide.
        let journalThere = ChangeJournal(audit: AuditLog(database: target, keys: keys), outbox: EventOutbox(database: target), policy: { policies.policy })
        try await journalThere.record(
            ConsentEvent(customerID: customers[11].id, purpose: "direct-marketing", kind: .given, channel: .web),
            audit: [AuditEvent(actor: AuditActor(.customer, customers[11].id), action: AuditAction(rawValue: "consent.given"), customerID: customers[11].id, outcome: "succeeded")],
            correlationID: nil)
        #expect(try await target.read { db in try db.fetchValue(Int.self, "SELECT MAX(id) FROM consent_event") } == 11)
        #expect(try await AuditVerifier(database: target, keys: keys).verify().isIntact)

        // A second copy into a database that holds data is refused, and changes nothing.
        await #expect(throws: StoreError.self) { try await StoreCopier(source: source.database, target: target).run() }
        try target.close()
    }
}
