import ConsentryCore
import Foundation
import ConsentryStorage

/// The transactional outbox: `append` runs inside the transaction of the change it
/// announces, so an event exists if and only if its change committed. It also fixes, there
/// and then, which subscriptions must receive it (matching query, and a module allowed to
/// see the purpose), one `event_delivery` row each.
public struct EventOutbox: Sendable {
    public let database: AppDatabase
    /// Woken after a commit that added events, so the deliverer need not poll for them.
    public let signal: EventSignal

    public init(database: AppDatabase, signal: EventSignal = EventSignal()) {
        self.database = database
        self.signal = signal
    }

    /// Writes `events` in the caller's transaction.
    public func append(_ events: [PrivacyEvent], policy: Policy, _ db: any StorageConnection) throws {
        guard !events.isEmpty else { return }
        let insert = "INSERT INTO event_outbox (seq, event_id, type, customer_id, purpose, occurred_at, recorded_at, envelope) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
        let deliver = "INSERT INTO event_delivery (event_seq, subscription_id, status, next_attempt_at) VALUES (?, ?, 'pending', ?)"
        let subscriptions = try db.fetchAll("SELECT id, module_id, query FROM event_subscription WHERE deleted_at IS NULL").compactMap { row -> (id: String, module: ModuleProfile, filter: EventFilter)? in
            // A module dropped from the policy, or a query the current code rejects, gets nothing.
            guard let module = policy.modules[row["module_id"]], let filter = try? EventFilter(query: row["query"]) else { return nil }
            return (row["id"], module, filter)
        }
        let now = Date()
        // The envelope carries its sequence: reserve the numbers first, so each row is written once.
        let numbers = try db.reserveSequence(table: "event_outbox", column: "seq", count: events.count)
        for (event, seq) in zip(events, numbers) {
            try db.execute(insert, [seq, event.id, event.type.rawValue, event.customerID, event.purpose, event.occurredAt, now, Data(event.envelope(sequence: seq).bytes)])
            for subscription in subscriptions where event.isVisible(to: subscription.module, policy: policy) && subscription.filter.matches(event, policy: policy) {
                try db.execute(deliver, [seq, subscription.id, now])
            }
        }
        let signal = self.signal
        db.afterCommit { signal.signal() }
    }

    /// The events about one customer, oldest first (for reports and tests).
    public func events(customerID: String) async throws -> [(seq: Int64, type: String, purpose: String?, envelope: JSONValue)] {
        try await database.read { db in
            try db.fetchAll("SELECT seq, type, purpose, envelope FROM event_outbox WHERE customer_id = ? ORDER BY seq", [customerID])
                .map { row in
                    let bytes: Data = row["envelope"]
                    return (row["seq"], row["type"], row["purpose"], try JSONValue.parse(Array(bytes)))
                }
        }
    }
}
