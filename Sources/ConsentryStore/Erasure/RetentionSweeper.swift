import ConsentryCore
import Foundation
import ConsentryStorage
import ConsentryRecords

/// Finds customers whose data has outlived its purposes (`RetentionRule`) and erases them,
/// keeping what legal obligations still need; and, once those holds end too, drops what was
/// held. Every action is an audited erasure (actor `system:retention`) announced to modules.
public struct RetentionSweeper: Sendable {
    public let eraser: CustomerEraser

    public init(eraser: CustomerEraser) {
        self.eraser = eraser
    }

    public struct Action: Sendable, Equatable {
        public enum Kind: String, Sendable { case erase, dropExpiredHolds = "drop_expired_holds" }
        public var kind: Kind
        public var customerID: String
        /// For an erasure: the fields that go, and those kept with until when.
        public var erasing: [String]
        public var keeping: [String]
    }

    /// What a sweep at `now` would do (the dry run), with the fields each erasure would
    /// destroy and keep.
    public func plan(policy: Policy, now: Date = Date()) async throws -> [Action] {
        try await withPreview(try await due(policy: policy, now: now), policy: policy, now: now)
    }

    /// The customers due at `now`, without decrypting anyone.
    func due(policy: Policy, now: Date) async throws -> [Action] {
        let database = eraser.database
        let (ended, heldErasures) = try await database.read { db in
            let records = try db.fetchCustomerRecords("SELECT * FROM customer WHERE relationship_ended_at IS NOT NULL AND erased_at IS NULL ORDER BY id")
            let states = try db.privacyStates(for: records)
            let tombstones = try db.fetchAll("SELECT customer_id FROM erasure_tombstone WHERE held_fields != '' ORDER BY customer_id")
                .compactMap { try ErasureTombstone.fetch(customerID: $0["customer_id"], db) }
            return (records.compactMap { states[$0.id] }, tombstones)
        }
        var actions: [Action] = []
        for state in ended where RetentionRule.isDue(state, policy: policy, now: now) {
            // The fields are known only by decrypting; the plan names them by what the policy holds.
            actions.append(Action(kind: .erase, customerID: state.customerID, erasing: [], keeping: []))
        }
        for tombstone in heldErasures where tombstone.held.allSatisfy({ $0.until <= now }) {
            actions.append(Action(kind: .dropExpiredHolds, customerID: tombstone.customerID, erasing: tombstone.held.map(\.field), keeping: []))
        }
        return actions
    }

    /// Carries the plan out; each erasure works out its own holds while it decrypts.
    /// - Returns: what was done, with what each erasure destroyed and kept.
    /// - Parameter progress: called after each action with the number done and the number due.
    public func run(
        policy: Policy, now: Date = Date(), correlationID: String? = nil, progress: (Int, Int) -> Void = { _, _ in }
    ) async throws -> [Action] {
        var done: [Action] = []
        let due = try await due(policy: policy, now: now)
        for var action in due {
            switch action.kind {
            case .erase:
                let tombstone = try await eraser.erase(
                    customerID: action.customerID, requestID: nil, actor: AuditActor(.system, "retention"), policy: policy, now: now,
                    correlationID: correlationID
                ).tombstone
                action.erasing = tombstone.erasedFields
                action.keeping = tombstone.held.map { "\($0.field) until \(ISOTimestamp.format($0.until))" }
            case .dropExpiredHolds:
                try await eraser.dropExpiredHolds(customerID: action.customerID, policy: policy, now: now, correlationID: correlationID)
            }
            done.append(action)
            progress(done.count, due.count)
        }
        return done
    }

    /// Fills in, for each erasure, the fields that would go and stay (decrypting to know which are held).
    private func withPreview(_ actions: [Action], policy: Policy, now: Date) async throws -> [Action] {
        var result: [Action] = []
        for var action in actions {
            if action.kind == .erase, let plan = try await eraser.preview(customerID: action.customerID, policy: policy, now: now) {
                action.erasing = plan.erased.map(\.rawValue)
                action.keeping = plan.held.map { "\($0.field.rawValue) until \(ISOTimestamp.format($0.until))" }
            }
            result.append(action)
        }
        return result
    }
}
