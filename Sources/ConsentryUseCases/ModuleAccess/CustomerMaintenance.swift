public import ConsentryCore
public import ConsentryStore

/// Module writes: onboarding a customer and correcting one (TMF629 POST and PATCH), each
/// audited with the fields it set, a correction checked against the categories the
/// module's purpose may update and announced to subscribed modules.
public struct CustomerMaintenance: Sendable {
    let customers: EncryptedCustomerStore
    let journal: ChangeJournal

    public init(customers: EncryptedCustomerStore, journal: ChangeJournal) {
        self.customers = customers
        self.journal = journal
    }

    /// - Throws: `ValidationError` for bad fields, `StoreError` for a duplicate externalId.
    public func onboard(_ call: ModuleCall, draft: CustomerDraft) async throws -> Customer {
        let created = try await customers.create(draft)
        let fields = PolicyField.changes(from: CustomerProfile(engagedParty: created.profile.engagedParty.emptied), to: created.profile)
        try await call.audit(action: "customer.create", outcome: "succeeded", customerID: created.id, fields: fields.sorted().map(\.rawValue))
        return created
    }

    /// The customer a correction starts from (`nil`: unknown, audited as such).
    public func current(_ call: ModuleCall, id: String) async throws -> Customer? {
        guard let current = try await customers.customer(id: id) else {
            try await call.audit(action: "customer.update", outcome: "not_found", customerID: id)
            return nil
        }
        return current
    }

    /// Applies `patch` to `current` if the purpose may update every changed category.
    /// - Throws: `UseCaseError` `.forbidden` (audited) for a category outside the grant,
    ///   `.conflict` `version_conflict` when the customer changed meanwhile.
    public func correct(_ call: ModuleCall, current: Customer, patch: CustomerPatch) async throws {
        let draft = try patch.applied(to: current)
        let changed = PolicyField.changes(from: current.profile, to: draft.profile)
        let categories = Set(changed.map { call.engine.policy.category(of: $0) })
        do {
            _ = try call.engine.authorize(module: call.module, purpose: call.grant.purpose.id, operation: .update, updating: categories)
        } catch {
            try await call.denied(error.reason, customerID: current.id)
        }
        let fields = changed.sorted().map(\.rawValue) + (patch.status.map { $0 != current.status ? ["status"] : [] } ?? [])
        do {
            let update = try await customers.prepareUpdate(id: current.id, expectedVersion: current.version, to: draft)
            _ = try await journal.rectify(
                update, changedFields: fields, audit: [call.auditEvent(action: "customer.update", outcome: "succeeded", customerID: current.id, fields: fields)],
                correlationID: call.requestID)
        } catch let error as StoreError where error.code == "version_conflict" {
            throw UseCaseError(.conflict, code: "version_conflict", error.message)
        }
    }
}
