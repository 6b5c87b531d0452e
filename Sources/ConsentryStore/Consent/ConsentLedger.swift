import ConsentryCore
import Foundation
import GRDB

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
    /// - Throws: `StoreError` for an unknown customer or a purpose-less consent event.
    public func record(_ events: [ConsentEvent]) async throws {
        try await database.writer.write { db in
            for event in events { try Self.record(event, db) }
        }
    }

    static func record(_ event: ConsentEvent, _ db: Database) throws {
        guard try Int.fetchOne(db, sql: "SELECT 1 FROM customer WHERE id = ?", arguments: [event.customerID]) != nil else {
            throw StoreError(code: "unknown_customer", message: "no customer with this id")
        }
        if event.kind.needsPurpose, event.purpose == nil {
            throw StoreError(code: "purpose_required", message: "a \(event.kind.rawValue) event needs a purpose")
        }
        try db.execute(
            sql: """
                INSERT INTO consent_event (customer_id, purpose, kind, occurred_at, recorded_at, channel, actor_kind, actor_id, notice_version, expires_at, evidence)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                event.customerID, event.purpose, event.kind.rawValue, event.occurredAt, Date(), event.channel.rawValue,
                event.expressedBy.rawValue, event.agentID, event.noticeVersion, event.expiresAt, event.evidence,
            ])
        switch event.kind {
        case .given, .refused, .withdrawn:
            try db.execute(
                sql: """
                    INSERT INTO consent_state (customer_id, purpose, status, since, expires_at, notice_version) VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT(customer_id, purpose) DO UPDATE SET status = excluded.status, since = excluded.since,
                        expires_at = excluded.expires_at, notice_version = excluded.notice_version
                    """,
                arguments: [event.customerID, event.purpose, event.kind.rawValue, event.occurredAt, event.expiresAt, event.noticeVersion])
        case .objection, .objectionWithdrawn:
            try db.execute(
                sql: """
                    INSERT INTO consent_state (customer_id, purpose, objection) VALUES (?, ?, ?)
                    ON CONFLICT(customer_id, purpose) DO UPDATE SET objection = excluded.objection
                    """,
                arguments: [event.customerID, event.purpose, event.kind == .objection])
        case .restriction:
            try db.execute(
                sql: "INSERT OR IGNORE INTO processing_restriction (customer_id, since) VALUES (?, ?)",
                arguments: [event.customerID, event.occurredAt])
        case .restrictionLifted:
            try db.execute(sql: "DELETE FROM processing_restriction WHERE customer_id = ?", arguments: [event.customerID])
        }
    }

    /// One customer's privacy state and party type, or `nil` for an unknown id.
    public func privacyState(customerID: String) async throws -> (state: CustomerPrivacyState, partyType: PartyType)? {
        try await database.writer.read { db in
            guard let record = try EncryptedCustomerStore.fetchSealed(ids: [customerID], db).first,
                let type = PartyType(rawValue: record.partyType), let state = try Self.privacyStates(for: [record], db)[customerID]
            else { return nil }
            return (state, type)
        }
    }

    /// The privacy state of each customer row, read in the caller's transaction.
    static func privacyStates(for records: [CustomerRecord], _ db: Database) throws -> [String: CustomerPrivacyState] {
        guard !records.isEmpty else { return [:] }
        var states: [String: CustomerPrivacyState] = [:]
        for record in records {
            states[record.id] = CustomerPrivacyState(
                customerID: record.id, status: CustomerStatus(rawValue: record.status) ?? .inactive, createdAt: record.createdAt,
                relationshipEndedAt: record.relationshipEndedAt)
        }
        // Cached statements, one execution per customer: cheaper than compiling IN (...) per call.
        let consents = try db.cachedStatement(
            sql: "SELECT purpose, status, since, expires_at, notice_version, objection FROM consent_state WHERE customer_id = ?")
        let restriction = try db.cachedStatement(sql: "SELECT 1 FROM processing_restriction WHERE customer_id = ?")
        for record in records {
            let id = record.id
            let rows = try Row.fetchCursor(consents, arguments: [id])
            while let row = try rows.next() {
                let purpose: String = row["purpose"]
                if let status = (row["status"] as String?).flatMap(ConsentStatus.init(rawValue:)), let since: Date = row["since"] {
                    states[id]?.consents[purpose] = ConsentState(status: status, since: since, expiresAt: row["expires_at"], noticeVersion: row["notice_version"])
                }
                if row["objection"] as Bool { states[id]?.objections.insert(purpose) }
            }
            if try Int.fetchOne(restriction, arguments: [id]) != nil { states[id]?.restricted = true }
        }
        return states
    }
}

/// One thing a customer (or someone for them) expressed about a purpose.
public struct ConsentEvent: Sendable, Equatable {
    public var customerID: String
    /// `nil` only for restriction events, which cover every purpose.
    public var purpose: String?
    public var kind: Kind
    public var occurredAt: Date
    public var channel: Channel
    public var expressedBy: ExpressedBy
    /// The agent's id when an agent recorded it for the customer.
    public var agentID: String?
    public var noticeVersion: String?
    public var expiresAt: Date?
    /// A reference to evidence kept elsewhere (call recording id, signed form number...).
    public var evidence: String?

    public enum Kind: String, Sendable, CaseIterable, Codable {
        case given, refused, withdrawn, objection
        case objectionWithdrawn = "objection_withdrawn"
        case restriction
        case restrictionLifted = "restriction_lifted"

        var needsPurpose: Bool { self != .restriction && self != .restrictionLifted }
    }

    public enum Channel: String, Sendable, CaseIterable, Codable {
        case web, app
        case callCentre = "call_centre"
        case retail, ivr, email, sms, migration
    }

    public enum ExpressedBy: String, Sendable, CaseIterable, Codable {
        case customer, guardian, agent
    }

    public init(
        customerID: String, purpose: String?, kind: Kind, occurredAt: Date = Date(), channel: Channel, expressedBy: ExpressedBy = .customer,
        agentID: String? = nil, noticeVersion: String? = nil, expiresAt: Date? = nil, evidence: String? = nil
    ) {
        self.customerID = customerID
        self.purpose = purpose
        self.kind = kind
        self.occurredAt = occurredAt
        self.channel = channel
        self.expressedBy = expressedBy
        self.agentID = agentID
        self.noticeVersion = noticeVersion
        self.expiresAt = expiresAt
        self.evidence = evidence
    }
}
