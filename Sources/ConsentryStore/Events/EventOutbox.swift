import ConsentryCore
import Foundation
import GRDB

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
    public func append(_ events: [PrivacyEvent], policy: Policy, _ db: Database) throws {
        guard !events.isEmpty else { return }
        let insert = try db.cachedStatement(
            sql: "INSERT INTO event_outbox (seq, event_id, type, customer_id, purpose, occurred_at, recorded_at, envelope) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
        let deliver = try db.cachedStatement(
            sql: "INSERT INTO event_delivery (event_seq, subscription_id, status, next_attempt_at) VALUES (?, ?, 'pending', ?)")
        let subscriptions = try Row.fetchAll(
            db.cachedStatement(sql: "SELECT id, module_id, query FROM event_subscription WHERE deleted_at IS NULL")
        ).compactMap { row -> (id: String, module: ModuleProfile, filter: EventFilter)? in
            // A module dropped from the policy, or a query the current code rejects, gets nothing.
            guard let module = policy.modules[row["module_id"]], let filter = try? EventFilter(query: row["query"]) else { return nil }
            return (row["id"], module, filter)
        }
        let now = Date()
        // The envelope carries its sequence: take the next ones from AUTOINCREMENT's own counter
        // (never reused), inside the writer's transaction.
        var seq = try Int64.fetchOne(db.cachedStatement(sql: "SELECT seq FROM sqlite_sequence WHERE name = 'event_outbox'")) ?? 0
        for event in events {
            seq += 1
            try insert.execute(arguments: [seq, event.id, event.type.rawValue, event.customerID, event.purpose, event.occurredAt, now, Data(event.envelope(sequence: seq).bytes)])
            for subscription in subscriptions where event.isVisible(to: subscription.module) && subscription.filter.matches(event) {
                try deliver.execute(arguments: [seq, subscription.id, now])
            }
        }
        let signal = self.signal
        db.afterNextTransaction { _ in signal.signal() }
    }

    /// The events about one customer, oldest first (for reports and tests).
    public func events(customerID: String) async throws -> [(seq: Int64, type: String, purpose: String?, envelope: JSONValue)] {
        try await database.writer.read { db in
            try Row.fetchAll(db, sql: "SELECT seq, type, purpose, envelope FROM event_outbox WHERE customer_id = ? ORDER BY seq", arguments: [customerID])
                .map { row in
                    let bytes: Data = row["envelope"]
                    return (row["seq"], row["type"], row["purpose"], try JSONValue.parse(Array(bytes)))
                }
        }
    }
}
