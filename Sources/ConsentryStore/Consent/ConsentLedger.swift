import ConsentryCore
import Foundation
import ConsentryStorage
import ConsentryRecords

/// Consent history (append-only) and the current state derived from it.
///
/// Every event is inserted into `consent_event` and folded into `consent_state` /
/// `processing_restriction` in the same transaction, so the state the decision engine reads
/// is never behind the history.
public struct ConsentLedger: Sendable {
    public let database: AppDatabase

    public init(database: AppDatabase) {
        self.database = database
    }

    /// Records events in one transaction.
    /// - Returns: the ids of the history rows, in order.
    /// - Throws: `StoreError` for an unknown customer or a purpose-less consent event.
    @discardableResult
    public func record(_ events: [ConsentEvent]) async throws -> [Int64] {
        try await database.write { db in
            try events.map { try db.recordConsentEvent($0).id }
        }
    }

    /// Records an event and the receipt signed for it, in one transaction: there is no
    /// consent change without its receipt, nor a receipt for a change that did not happen.
    @discardableResult
    public func record(_ event: ConsentEvent, receipt: StoredReceipt) async throws -> Int64 {
        try await database.write { db in
            let id = try db.recordConsentEvent(event).id
            try db.execute("INSERT INTO consent_receipt (id, customer_id, event_id, purpose, issued_at, jws) VALUES (?, ?, ?, ?, ?, ?)", [receipt.id, event.customerID, id, event.purpose, receipt.issuedAt, receipt.jws])
            return id
        }
    }

    /// The customer's receipts, newest first.
    public func receipts(customerID: String) async throws -> [StoredReceipt] {
        try await database.read { db in
            try db.fetchAll("SELECT id, purpose, issued_at, jws FROM consent_receipt WHERE customer_id = ? ORDER BY issued_at DESC, id DESC", [customerID]).map { StoredReceipt(id: $0["id"], purpose: $0["purpose"], issuedAt: $0["issued_at"], jws: $0["jws"]) }
        }
    }

    /// One receipt by its id, with the customer it belongs to.
    public func receipt(id: String) async throws -> (customerID: String, receipt: StoredReceipt)? {
        try await database.read { db in
            try db.fetchOne("SELECT id, customer_id, purpose, issued_at, jws FROM consent_receipt WHERE id = ?", [id]).map { row in
                (row["customer_id"], StoredReceipt(id: row["id"], purpose: row["purpose"], issuedAt: row["issued_at"], jws: row["jws"]))
            }
        }
    }

    /// The consent history of one customer, oldest first (by when it happened).
    public func history(customerID: String) async throws -> [ConsentEvent] {
        try await database.read { db in
            try db.fetchAll("SELECT * FROM consent_event WHERE customer_id = ? ORDER BY occurred_at, id", [customerID]).compactMap { row in
                guard let kind = ConsentEvent.Kind(rawValue: row["kind"]), let channel = ConsentEvent.Channel(rawValue: row["channel"]),
                    let by = ConsentEvent.ExpressedBy(rawValue: row["actor_kind"])
                else { return nil }
                return ConsentEvent(
                    customerID: customerID, purpose: row["purpose"], kind: kind, occurredAt: row["occurred_at"], channel: channel,
                    expressedBy: by, actorID: row["actor_id"], noticeVersion: row["notice_version"], expiresAt: row["expires_at"],
                    evidence: row["evidence"])
            }
        }
    }

    /// A page of customer ids in id order, and how many there are: the privacy profiles a
    /// module may list.
    public func customerIDs(offset: Int, limit: Int) async throws -> (total: Int, ids: [String]) {
        try await database.read { db in
            let total = try db.fetchValue(Int.self, "SELECT COUNT(*) FROM customer WHERE erased_at IS NULL") ?? 0
            return (total, try db.fetchColumn(String.self, "SELECT id FROM customer WHERE erased_at IS NULL ORDER BY id LIMIT ? OFFSET ?", [limit, offset]))
        }
    }

    /// One customer's privacy state and party type, or `nil` for an unknown id.
    public func privacyState(customerID: String) async throws -> (state: CustomerPrivacyState, partyType: PartyType)? {
        try await database.read { db in
            guard let record = try db.customerRecords(ids: [customerID]).first,
                case let type = record.partyType, let state = try db.privacyStates(for: [record])[customerID]
            else { return nil }
            return (state, type)
        }
    }

}

/// The history fold, in the caller's transaction: `ConsentLedger` and the change journal both record through it.
extension StorageConnection {
    /// Records `event` and folds it into the current state. The state follows the latest
    /// event by time, not by arrival, for consents, objections and the restriction alike, so
    /// a migration file in any order derives the same state, and an old event imported late
    /// never undoes a newer one.
    /// - Returns: the history row's id, and whether the event is now the current state (what
    ///   modules must hear of).
    @discardableResult
    func recordConsentEvent(_ event: ConsentEvent) throws -> (id: Int64, current: Bool) {
        // Cached statements throughout: this runs once per consent change, inside the writer.
        guard try fetchValue(Int.self, "SELECT 1 FROM customer WHERE id = ?", [event.customerID]) != nil else {
            throw StoreError(code: .unknownCustomer, message: "no customer with this id")
        }
        if event.kind.needsPurpose, event.purpose == nil {
            throw StoreError(code: .purposeRequired, message: "a \(event.kind.rawValue) event needs a purpose")
        }
        let eventID = try fetchValue(
            Int64.self,
            """
            INSERT INTO consent_event (customer_id, purpose, kind, occurred_at, recorded_at, channel, actor_kind, actor_id, notice_version, expires_at, evidence)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id
            """,
            [
                event.customerID, event.purpose, event.kind.rawValue, event.occurredAt, Date(), event.channel.rawValue,
                event.expressedBy.rawValue, event.actorID, event.noticeVersion, event.expiresAt, event.evidence,
            ]) ?? 0
        switch event.kind {
        case .given, .refused, .withdrawn:
            let changed = try execute(
                """
                INSERT INTO consent_state (customer_id, purpose, status, since, expires_at, notice_version) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT(customer_id, purpose) DO UPDATE SET status = excluded.status, since = excluded.since,
                    expires_at = excluded.expires_at, notice_version = excluded.notice_version
                WHERE consent_state.since IS NULL OR excluded.since >= consent_state.since
                """,
                [event.customerID, event.purpose, event.kind.rawValue, event.occurredAt, event.expiresAt, event.noticeVersion])
            return (eventID, changed > 0)
        case .objection, .objectionWithdrawn:
            // Objections are rare: the latest of the purpose's objection events decides.
            guard try latestConsentEvent(of: [.objection, .objectionWithdrawn], customerID: event.customerID, purpose: event.purpose) == eventID else {
                return (eventID, false)
            }
            try execute("""
                    INSERT INTO consent_state (customer_id, purpose, objection) VALUES (?, ?, ?)
                    ON CONFLICT(customer_id, purpose) DO UPDATE SET objection = excluded.objection
                    """, [event.customerID, event.purpose, event.kind == .objection])
        case .optOut, .optOutWithdrawn:
            // Kept beside the consents under `opt-out:<right>`, the latest by time deciding.
            guard let right = event.purpose.flatMap(OptOutRight.init(rawValue:)) else {
                throw StoreError(code: .purposeRequired, message: "an opt-out event names its right: \(OptOutRight.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard try latestConsentEvent(of: [.optOut, .optOutWithdrawn], customerID: event.customerID, purpose: event.purpose) == eventID else {
                return (eventID, false)
            }
            try execute("""
                    INSERT INTO consent_state (customer_id, purpose, status, since) VALUES (?, ?, ?, ?)
                    ON CONFLICT(customer_id, purpose) DO UPDATE SET status = excluded.status, since = excluded.since
                    """, [event.customerID, right.stateKey, event.kind == .optOut ? "opted_out" : "opted_in", event.occurredAt])
        case .restriction, .restrictionLifted:
            guard try latestConsentEvent(of: [.restriction, .restrictionLifted], customerID: event.customerID, purpose: nil) == eventID else {
                return (eventID, false)
            }
            if event.kind == .restriction {
                try execute("INSERT INTO processing_restriction (customer_id, since) VALUES (?, ?) ON CONFLICT DO NOTHING", [event.customerID, event.occurredAt])
            } else {
                try execute("DELETE FROM processing_restriction WHERE customer_id = ?", [event.customerID])
            }
        }
        return (eventID, true)
    }

    /// The id of the latest (by time, then by arrival) of a customer's events of `kinds`.
    fileprivate func latestConsentEvent(of kinds: [ConsentEvent.Kind], customerID: String, purpose: String?) throws -> Int64? {
        try fetchValue(
            Int64.self,
            """
            SELECT id FROM consent_event WHERE customer_id = ?1 AND kind IN (?2, ?3) AND (purpose = ?4 OR (purpose IS NULL AND ?4 IS NULL))
            ORDER BY occurred_at DESC, id DESC LIMIT 1
            """,
            [customerID, kinds[0].rawValue, kinds[1].rawValue, purpose])
    }

    /// Whether the history already holds this event (same customer, purpose, kind and time):
    /// what makes a re-run of an import add nothing.
    func hasConsentEvent(customerID: String, purpose: String?, kind: ConsentEvent.Kind, at occurredAt: Date) throws -> Bool {
        try fetchValue(Int.self, """
            SELECT 1 FROM consent_event WHERE customer_id = ?1 AND (purpose = ?2 OR (purpose IS NULL AND ?2 IS NULL)) AND kind = ?3 AND occurred_at = ?4
            """, [customerID, purpose, kind.rawValue, occurredAt]) != nil
    }
}
