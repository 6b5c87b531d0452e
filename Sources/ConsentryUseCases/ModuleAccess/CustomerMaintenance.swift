public import ConsentryCore
public import ConsentryRecords
import Foundation

/// Module writes: onboarding a customer and correcting one (TMF629 POST and PATCH), each
/// audited with the fields it set.
///
/// A module writes only what its grant covers: onboarding sets only categories its
/// purpose uses; a correction changes only categories (status included) its `update` grant
/// names, and only while the customer's state lets the purpose process their data (not
/// restricted, not objected to, retention not over). Corrections are announced to
/// subscribed modules.
public struct CustomerMaintenance: Sendable {
    let customers: any CustomerRecords
    let consents: any ConsentRecords
    let corrections: any CustomerCorrections

    public init(customers: any CustomerRecords, consents: any ConsentRecords, corrections: any CustomerCorrections) {
        self.customers = customers
        self.consents = consents
        self.corrections = corrections
    }

    /// - Throws: `UseCaseError` `.forbidden` (audited) for a field whose category the purpose
    ///   does not use; `ValidationError` for bad fields; `StoreError` for a duplicate
    ///   externalId or login subject.
    public func onboard(_ call: ModuleCall, draft: CustomerDraft) async throws -> Customer {
        let fields = PolicyField.changes(from: CustomerProfile(engagedParty: draft.profile.engagedParty.emptied), to: draft.profile)
        let policy = call.engine.policy
        if fields.contains(where: { call.grant.purpose.categories[policy.category(of: $0)] == nil }) {
            try await call.denied(.categoryNotInPurpose)
        }
        let created = try await customers.create(draft)
        try await call.audit(action: .customerCreate, outcome: "succeeded", customerID: created.id, fields: fields.sorted().map(\.rawValue))
        return created
    }

    /// The party type of a customer not erased, read without decrypting anything; `nil` for an
    /// unknown or erased id. The caller's operation audits what it does with it.
    public func partyType(of id: String) async throws -> PartyType? {
        guard let (state, type) = try await consents.privacyState(customerID: id), state.erasedAt == nil else { return nil }
        return type
    }

    /// The customer a correction starts from (`nil`: unknown, audited as such).
    public func current(_ call: ModuleCall, id: String) async throws -> Customer? {
        guard let current = try await customers.customer(id: id) else {
            try await call.audit(action: .customerUpdate, outcome: "not_found", customerID: id)
            return nil
        }
        return current
    }

    /// Applies `patch` to `current` if the purpose may update every changed category and the
    /// customer's state lets it process their data.
    /// - Throws: `UseCaseError` `.forbidden` (audited) for a category outside the grant or a
    ///   state that stops the purpose (`RESTRICTED`, `OBJECTION`...), `.conflict`
    ///   `version_conflict` when the customer changed meanwhile.
    public func correct(_ call: ModuleCall, current: Customer, patch: CustomerPatch) async throws {
        try await correct(call, current: current, to: try patch.applied(to: current))
    }

    /// Makes `current` into `draft` (a merge patch already applied), on the same conditions.
    /// - Throws: as the patch form; `ValidationError` `immutable` for a changed party type
    ///   or legacy id.
    public func correct(_ call: ModuleCall, current: Customer, to draft: CustomerDraft) async throws {
        try Self.checkImmutable(current: current, draft: draft)
        let changed = PolicyField.changes(from: current.profile, to: draft.profile)
        let statusChanged = draft.status != current.status
        var categories = Set(changed.map { call.engine.policy.category(of: $0) })
        if statusChanged { categories.insert(call.engine.policy.statusCategory) }
        do {
            _ = try call.engine.authorize(module: call.module, purpose: call.grant.purpose.id, operation: .update, updating: categories)
        } catch {
            try await call.denied(error.reason, customerID: current.id)
        }
        // Writing is processing: the customer's restriction, objection or retention stop it too.
        if let (state, _) = try await consents.privacyState(customerID: current.id),
            let reason = call.engine.decide(call.grant, customer: state, fields: Array(changed), now: Date()).customerReason
        {
            try await call.denied(reason, customerID: current.id)
        }
        let fields = changed.sorted().map(\.rawValue) + (statusChanged ? ["status"] : [])
        // Nothing changes: no new version, no event for modules to act on; the call is audited.
        guard !fields.isEmpty else {
            try await call.audit(action: .customerUpdate, outcome: "unchanged", customerID: current.id)
            return
        }
        do {
            _ = try await corrections.correct(
                id: current.id, expectedVersion: current.version, to: draft, changedFields: fields,
                audit: [call.auditEvent(action: .customerUpdate, outcome: "succeeded", customerID: current.id, fields: fields)],
                correlationID: call.requestID)
        } catch let error as StoreError where error.code == .versionConflict {
            throw UseCaseError(.conflict, code: "version_conflict", error.message)
        }
    }

    /// Makes a party created without the customer role (`prospective`, as TMF632 creates
    /// them) a customer: TMF629's create with a reference to the party. The module sets what
    /// its purpose uses, as onboarding does; the party's status becomes the draft's.
    /// - Throws: `UseCaseError` `.invalid` `unknown_party` for an unknown id, `.conflict`
    ///   `already_a_customer` when the party already is one (one customer per party),
    ///   `.forbidden` (audited) as `onboard`.
    /// - Parameter changes: the customer the party becomes, from the party as stored.
    public func promote(_ call: ModuleCall, id: String, changes: (Customer) throws -> CustomerDraft) async throws -> Customer {
        guard let current = try await customers.customer(id: id) else {
            throw UseCaseError(
                .invalid, code: "validation_failed", "engagedParty names no party",
                issues: [ValidationIssue(path: "engagedParty.id", code: "unknown_party", message: "must be the id of a party created through /tmf-api/party/v4")])
        }
        guard current.status == .prospective else {
            throw UseCaseError(.conflict, code: "already_a_customer", "this party already is a customer (one customer per party); PATCH the customer instead")
        }
        let draft = try changes(current)
        try Self.checkImmutable(current: current, draft: draft)
        let fields = PolicyField.changes(from: current.profile, to: draft.profile)
        let policy = call.engine.policy
        if fields.contains(where: { call.grant.purpose.categories[policy.category(of: $0)] == nil }) {
            try await call.denied(.categoryNotInPurpose, customerID: current.id)
        }
        let names = fields.sorted().map(\.rawValue) + ["status"]
        do {
            return try await corrections.correct(
                id: current.id, expectedVersion: current.version, to: draft, changedFields: names,
                audit: [call.auditEvent(action: .customerCreate, outcome: "succeeded", customerID: current.id, fields: names)],
                correlationID: call.requestID)
        } catch let error as StoreError where error.code == .versionConflict {
            throw UseCaseError(.conflict, code: "version_conflict", error.message)
        }
    }

    /// A customer's party type and legacy id never change through a correction.
    static func checkImmutable(current: Customer, draft: CustomerDraft) throws {
        if draft.profile.engagedParty.type != current.profile.engagedParty.type {
            throw ValidationError(issues: [ValidationIssue(
                path: "engagedParty.@type", code: "immutable", message: "a customer's party cannot change from \(current.profile.engagedParty.type.rawValue)")])
        }
        if draft.externalId != current.externalId {
            throw ValidationError(issues: [ValidationIssue(path: "externalId", code: "immutable", message: "the legacy id is set once, at creation")])
        }
    }
}
