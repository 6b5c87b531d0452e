import ConsentryCore
import Foundation
import ConsentryStorage
import ConsentryRecords

/// Subscriptions, the delivery queue and acknowledgements: the store side of event delivery.
public struct EventHub: Sendable {
    public let database: AppDatabase

    public init(database: AppDatabase) {
        self.database = database
    }

    // MARK: Subscriptions

    public func subscribe(moduleID: String, callback: String, query: String) async throws -> EventSubscription {
        let subscription = EventSubscription(
            id: UUID().uuidString.lowercased(), moduleID: moduleID, callback: callback, query: query,
            createdAt: Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down)))
        try await database.write { db in
            try db.execute("INSERT INTO event_subscription (id, module_id, callback, query, created_at) VALUES (?, ?, ?, ?, ?)", [subscription.id, moduleID, callback, query, subscription.createdAt])
        }
        return subscription
    }

    /// Active subscriptions, of one module or of all.
    public func subscriptions(moduleID: String? = nil) async throws -> [EventSubscription] {
        try await database.read { db in
            // Two statements, not `? IS NULL OR ...`: PostgreSQL cannot type a parameter only compared with NULL.
            if let moduleID {
                return try db.fetchAll("SELECT * FROM event_subscription WHERE deleted_at IS NULL AND module_id = ? ORDER BY created_at, id", [moduleID]).map(Self.subscription)
            }
            return try db.fetchAll("SELECT * FROM event_subscription WHERE deleted_at IS NULL ORDER BY created_at, id").map(Self.subscription)
        }
    }

    public func subscription(id: String) async throws -> EventSubscription? {
        try await database.read { db in
            try db.fetchOne("SELECT * FROM event_subscription WHERE id = ? AND deleted_at IS NULL", [id]).map(Self.subscription)
        }
    }

    /// Ends a subscription: no new event is queued for it; what is queued stays, for the record,
    /// but is no longer attempted.
    /// - Returns: `false` if there is no such active subscription of `moduleID`.
    public func unsubscribe(id: String, moduleID: String) async throws -> Bool {
        try await database.write { db in
            let changed = try db.execute("UPDATE event_subscription SET deleted_at = ? WHERE id = ? AND module_id = ? AND deleted_at IS NULL", [Date(), id, moduleID])
            guard changed == 1 else { return false }
            try db.execute("UPDATE event_delivery SET status = 'dead', last_result = 'subscription deleted' WHERE subscription_id = ? AND status = 'pending'", [id])
            return true
        }
    }

    static func subscription(_ row: SQLRow) -> EventSubscription {
        EventSubscription(id: row["id"], moduleID: row["module_id"], callback: row["callback"], query: row["query"], createdAt: row["created_at"])
    }

    // MARK: Delivery

    /// Records the outcomes of the last round of attempts, then claims up to `limit` due
    /// deliveries for `lease`, in one transaction (one fsync per round, not two). A crashed
    /// deliverer's claims come due again when the lease ends: at least once.
    public func claim(limit: Int, lease: Duration, recording outcomes: [(ClaimedDelivery, DeliveryOutcome)] = [], now: Date = Date()) async throws -> [ClaimedDelivery] {
        try await database.write { db in
            try Self.record(outcomes, at: now, db)
            let rows = try db.fetchAll("""
                    SELECT d.event_seq, d.subscription_id, d.attempts, o.event_id, o.type, o.envelope, s.callback
                    FROM event_delivery d JOIN event_outbox o ON o.seq = d.event_seq JOIN event_subscription s ON s.id = d.subscription_id
                    WHERE d.status = 'pending' AND d.next_attempt_at <= ?
                    ORDER BY d.next_attempt_at, d.event_seq LIMIT ?\(db.dialect == .postgres ? " FOR UPDATE OF d SKIP LOCKED" : "")
                    """, [now, limit])
            let leaseEnd = now.addingTimeInterval(Double(lease.components.seconds))
            // Servers on one PostgreSQL skip each other's locked rows: each delivery is claimed once.
            let extend = "UPDATE event_delivery SET next_attempt_at = ? WHERE event_seq = ? AND subscription_id = ?"
            return try rows.map { row in
                let delivery = ClaimedDelivery(
                    eventSeq: row["event_seq"], eventID: row["event_id"], eventType: row["type"], subscriptionID: row["subscription_id"],
                    callback: row["callback"], body: Array(row["envelope"] as Data), attempts: row["attempts"])
                try db.execute(extend, [leaseEnd, delivery.eventSeq, delivery.subscriptionID])
                return delivery
            }
        }
    }

    /// Records the outcomes of a round of attempts in one transaction.
    public func record(_ outcomes: [(ClaimedDelivery, DeliveryOutcome)], at now: Date = Date()) async throws {
        guard !outcomes.isEmpty else { return }
        try await database.write { db in try Self.record(outcomes, at: now, db) }
    }

    static func record(_ outcomes: [(ClaimedDelivery, DeliveryOutcome)], at now: Date, _ db: any StorageConnection) throws {
        guard !outcomes.isEmpty else { return }
        let delivered = """
            UPDATE event_delivery SET status = 'delivered', attempts = attempts + 1, last_attempt_at = ?, last_result = ?, delivered_at = ?
            WHERE event_seq = ? AND subscription_id = ? AND status = 'pending'
            """
        let failed = """
            UPDATE event_delivery SET status = ?, attempts = attempts + 1, last_attempt_at = ?, last_result = ?, next_attempt_at = ?
            WHERE event_seq = ? AND subscription_id = ? AND status = 'pending'
            """
        for (delivery, outcome) in outcomes {
            switch outcome {
            case .delivered(let result):
                try db.execute(delivered, [now, result, now, delivery.eventSeq, delivery.subscriptionID])
            case .failed(let result, let retryAt):
                try db.execute(failed, [retryAt == nil ? "dead" : "pending", now, result, retryAt ?? now, delivery.eventSeq, delivery.subscriptionID])
            }
        }
    }

    /// When the next pending delivery comes due, if any.
    public func nextDue() async throws -> Date? {
        try await database.read { db in
            try db.fetchValue(Date.self, "SELECT MIN(next_attempt_at) FROM event_delivery WHERE status = 'pending'")
        }
    }

    /// Puts dead-lettered deliveries (of one subscription, or all) back in the queue, due now.
    /// - Returns: how many.
    public func requeueDead(subscriptionID: String? = nil) async throws -> Int {
        try await database.write { db in
            try db.execute(
                """
                    UPDATE event_delivery SET status = 'pending', attempts = 0, next_attempt_at = ?
                    WHERE status = 'dead' AND (subscription_id = ?2 OR ?2 IS NULL)
                      AND subscription_id IN (SELECT id FROM event_subscription WHERE deleted_at IS NULL)
                    """, [Date(), subscriptionID])
        }
    }

    // MARK: Operator view

    public func health() async throws -> [SubscriptionHealth] {
        try await database.read { db in
            try db.fetchAll("SELECT * FROM event_subscription WHERE deleted_at IS NULL ORDER BY created_at, id").map { row in
                let subscription = Self.subscription(row)
                let counts = try db.fetchOne("""
                        SELECT SUM(CASE WHEN status = 'pending' THEN 1 ELSE 0 END) AS pending, SUM(CASE WHEN status = 'delivered' THEN 1 ELSE 0 END) AS delivered,
                               SUM(CASE WHEN status = 'dead' THEN 1 ELSE 0 END) AS dead,
                               MIN(CASE WHEN status = 'pending' THEN o.occurred_at END) AS oldest
                        FROM event_delivery d JOIN event_outbox o ON o.seq = d.event_seq WHERE d.subscription_id = ?
                        """, [subscription.id])
                let acknowledged = try db.fetchValue(Int.self, """
                        SELECT COUNT(*) FROM event_delivery d JOIN event_outbox o ON o.seq = d.event_seq
                        JOIN event_acknowledgement a ON a.event_id = o.event_id AND a.module_id = ? WHERE d.subscription_id = ?
                        """, [subscription.moduleID, subscription.id]) ?? 0
                let last = try db.fetchValue(String.self, "SELECT last_result FROM event_delivery WHERE subscription_id = ? AND last_attempt_at IS NOT NULL ORDER BY last_attempt_at DESC LIMIT 1", [subscription.id])
                return SubscriptionHealth(
                    subscription: subscription, pending: counts?["pending"] ?? 0, delivered: counts?["delivered"] ?? 0, dead: counts?["dead"] ?? 0,
                    acknowledged: acknowledged, oldestPendingSince: counts?["oldest"], lastResult: last)
            }
        }
    }

    /// Deliveries, newest event first, filtered by status and subscription.
    public func deliveries(status: DeliveryRecord.Status?, subscriptionID: String?, offset: Int, limit: Int) async throws -> (total: Int, page: [DeliveryRecord]) {
        try await database.read { db in
            let filter = "WHERE (d.status = ?1 OR ?1 IS NULL) AND (d.subscription_id = ?2 OR ?2 IS NULL)"
            let arguments: [(any SQLValueConvertible)?] = [status?.rawValue, subscriptionID]
            let total = try db.fetchValue(Int.self, "SELECT COUNT(*) FROM event_delivery d \(filter)", arguments) ?? 0
            let rows = try db.fetchAll("""
                    SELECT d.*, o.event_id, o.type, s.module_id, a.acknowledged_at
                    FROM event_delivery d JOIN event_outbox o ON o.seq = d.event_seq JOIN event_subscription s ON s.id = d.subscription_id
                    LEFT JOIN event_acknowledgement a ON a.event_id = o.event_id AND a.module_id = s.module_id
                    \(filter) ORDER BY d.event_seq DESC, d.subscription_id LIMIT ?3 OFFSET ?4
                    """, arguments + [limit, offset])
            return (total, rows.map { row in
                let status = DeliveryRecord.Status(rawValue: row["status"]) ?? .pending
                return DeliveryRecord(
                    eventSeq: row["event_seq"], eventID: row["event_id"], eventType: row["type"], subscriptionID: row["subscription_id"],
                    moduleID: row["module_id"], status: status, attempts: row["attempts"],
                    nextAttemptAt: status == .pending ? row["next_attempt_at"] : nil, lastAttemptAt: row["last_attempt_at"],
                    lastResult: row["last_result"], deliveredAt: row["delivered_at"], acknowledgedAt: row["acknowledged_at"])
            })
        }
    }

    // MARK: Acknowledgements

    public typealias AcknowledgementResult = ConsentryRecords.AcknowledgementResult

    /// Records that `moduleID` acted on event `eventID`. Only an event that was queued for one
    /// of the module's subscriptions can be acknowledged.
    public func acknowledge(eventID: String, moduleID: String, requestID: String?, at now: Date = Date()) async throws -> AcknowledgementResult {
        try await database.write { db in
            let queued = try db.fetchValue(Int.self, """
                    SELECT 1 FROM event_outbox o JOIN event_delivery d ON d.event_seq = o.seq JOIN event_subscription s ON s.id = d.subscription_id
                    WHERE o.event_id = ? AND s.module_id = ? LIMIT 1
                    """, [eventID, moduleID])
            guard queued != nil else { return .unknownEvent }
            if let earlier = try db.fetchValue(Date.self, "SELECT acknowledged_at FROM event_acknowledgement WHERE event_id = ? AND module_id = ?", [eventID, moduleID])
            {
                return .alreadyRecorded(at: earlier)
            }
            try db.execute("INSERT INTO event_acknowledgement (event_id, module_id, acknowledged_at, request_id) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING", [eventID, moduleID, now, requestID])
            return .recorded(at: now)
        }
    }

    /// The modules an event was queued for (one of their subscriptions matched it).
    public func recipients(eventID: String) async throws -> [String] {
        try await database.read { db in
            try db.fetchColumn(String.self, """
                    SELECT DISTINCT s.module_id FROM event_outbox o JOIN event_delivery d ON d.event_seq = o.seq
                    JOIN event_subscription s ON s.id = d.subscription_id WHERE o.event_id = ? ORDER BY s.module_id
                    """, [eventID])
        }
    }

    /// The modules that acknowledged `eventID`, with when.
    public func acknowledgements(eventID: String) async throws -> [(moduleID: String, at: Date)] {
        try await database.read { db in
            try db.fetchAll("SELECT module_id, acknowledged_at FROM event_acknowledgement WHERE event_id = ? ORDER BY module_id", [eventID])
                .map { ($0["module_id"], $0["acknowledged_at"]) }
        }
    }
}
