import ConsentryCore
import ConsentryPolicy
@testable import ConsentryStore
import ConsentryRecords
import ConsentryTesting
import Foundation
import ConsentryStorage
import Testing

@Suite("Retention sweep")
struct RetentionTests {
    static let year: TimeInterval = 365.25 * 86400

    @Test("a dry run lists exactly the customers whose every purpose's retention is over; the sweep erases them keeping legal holds, and drops the holds when they end")
    func sweep() async throws {
        let setup = try await ErasureTests().setUp(count: 6)
        let (old, recent) = (setup.customers[0], setup.customers[1])
        let now = Date()
        try await setup.installation.database.write { db in
            for (customer, ended) in [(old, now - 4 * Self.year), (recent, now - 1 * Self.year)] {
                try db.execute("UPDATE customer SET status = 'closed', relationship_ended_at = ? WHERE id = ?", [ended, customer.id])
            }
        }
        let sweeper = RetentionSweeper(eraser: setup.eraser)
        let plan = try await sweeper.plan(policy: setup.policy, now: now)
        #expect(plan.map(\.customerID) == [old.id], "only the relationship that ended 4 years ago is past every retention (3 years at most)")
        #expect(plan.first?.kind == .erase)
        #expect(plan.first?.keeping.contains { $0.hasPrefix("engagedParty.familyName until") || $0.hasPrefix("engagedParty.name until") } == true)
        #expect(try await setup.installation.store.customer(id: old.id) != nil, "a dry run changes nothing")

        let done = try await sweeper.run(policy: setup.policy, now: now)
        #expect(done.map(\.customerID) == [old.id])
        #expect(try await setup.installation.store.customer(id: old.id) == nil)
        #expect(try await setup.installation.store.customer(id: recent.id) != nil)
        let tombstone = try #require(try await setup.eraser.tombstone(customerID: old.id))
        #expect(tombstone.actor == "system:retention" && !tombstone.held.isEmpty)
        #expect(try await sweeper.plan(policy: setup.policy, now: now).isEmpty, "nothing left to do now")

        // Eleven years after the relationship ended, the accounting hold is over too.
        let later = now + 7 * Self.year
        let expired = try await sweeper.plan(policy: setup.policy, now: later)
        #expect(expired.contains { $0.kind == .dropExpiredHolds && $0.customerID == old.id })
        _ = try await sweeper.run(policy: setup.policy, now: later)
        let record = try #require(try await setup.installation.database.read { db in try db.customerRecords(ids: [old.id]).first })
        #expect(try FieldVault(decoding: record.sealedFields).entries.isEmpty, "nothing of the customer is left")
        #expect(try await setup.eraser.tombstone(customerID: old.id)?.held.isEmpty == true)
        #expect(try await AuditVerifier(database: setup.installation.database, keys: setup.installation.keys).verify().isIntact)
    }
}
