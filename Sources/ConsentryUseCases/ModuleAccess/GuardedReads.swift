public import ConsentryCore
public import ConsentryRecords

/// Module reads of customers: by id, by exact value, a page, or the audience of a purpose.
/// Each customer goes through the decision engine; each decision is audited before the
/// disclosures are returned, so nothing leaves unaudited.
public struct GuardedReads: Sendable {
    let reader: any CustomerDisclosures

    public init(reader: any CustomerDisclosures) {
        self.reader = reader
    }

    /// - Throws: `UseCaseError` `.notFound` (audited) for an unknown or erased id, or one of
    ///   another party type than `partyType`.
    public func read(_ call: ModuleCall, id: String, selection: FieldSelection, partyType: PartyType? = nil) async throws -> Disclosure {
        let disclosures = try await reader.read(ids: [id], decide: call.decide(selection))
        guard let disclosure = disclosures.first, partyType == nil || disclosure.customer.partyType == partyType else {
            try await call.audit(action: .customerRead, outcome: "not_found", customerID: id)
            throw UseCaseError(.notFound, code: "not_found", "no \(partyType?.rawValue.lowercased() ?? "customer") with this id")
        }
        try await call.audit(disclosures: [disclosure], action: .customerRead)
        return disclosure
    }

    /// Customers whose `field` equals `value`. Searching by a value is using it: the purpose
    /// must cover the searched category (else refused, audited).
    public func search(
        _ call: ModuleCall, field: BlindIndexField, value: String, selection: FieldSelection, partyType: PartyType? = nil
    ) async throws -> [Disclosure] {
        let category = call.engine.policy.category(of: field.policyField)
        guard call.grant.purpose.categories[category] != nil else { try await call.denied(.categoryNotInPurpose) }
        let found = try await reader.search(field, value: value, decide: call.decide(selection))
        let disclosures = found.filter { partyType == nil || $0.customer.partyType == partyType }
        try await call.audit(disclosures: disclosures, action: .customerSearch, emptyOutcome: "no_match", searchedBy: field.policyField)
        return Self.withoutStopped(disclosures)
    }

    /// A keyset page after `cursor`, audited like a list page, with the cursor to continue from.
    public func page(
        _ call: ModuleCall, after cursor: String?, limit: Int, selection: FieldSelection, filter: CustomerListFilter = .all
    ) async throws -> (disclosures: [Disclosure], next: String?) {
        let (disclosures, next) = try await reader.page(after: cursor, limit: limit, filter: filter, decide: call.decide(selection))
        try await call.audit(disclosures: disclosures, action: .customerList, emptyOutcome: "empty")
        return (Self.withoutStopped(disclosures), next)
    }

    public func list(
        _ call: ModuleCall, offset: Int, limit: Int, selection: FieldSelection, filter: CustomerListFilter = .all
    ) async throws -> (total: Int, disclosures: [Disclosure]) {
        let (total, disclosures) = try await reader.list(offset: offset, limit: limit, filter: filter, decide: call.decide(selection))
        try await call.audit(disclosures: disclosures, action: .customerList, emptyOutcome: "empty")
        return (total, Self.withoutStopped(disclosures))
    }

    /// The customers the call's purpose may be used for now, after `cursor`.
    public func audience(
        _ call: ModuleCall, after cursor: String?, limit: Int, selection: FieldSelection
    ) async throws -> (disclosures: [Disclosure], next: String?) {
        let (disclosures, next) = try await reader.audience(
            purpose: call.grant.purpose, after: cursor, limit: limit,
            // Where a jurisdiction runs the purpose on opt-out, customers without a consent row qualify too.
            consentRequired: call.grant.purpose.legalBasis == .consent
                && !call.engine.policy.jurisdictions.values.contains { $0.optOut(covering: call.grant.purpose.id) != nil },
            decide: call.decide(selection))
        try await call.audit(disclosures: disclosures, action: .customerAudience, emptyOutcome: "empty")
        return (disclosures, next)
    }

    /// Search and list leave out customers whose state stops the purpose (withdrawn consent,
    /// objection, restriction, retention over): their id, status and reason would tell the
    /// module that this email is a customer's, and what the customer decided. Their
    /// decisions are still audited. A read by id still answers, with the reason.
    static func withoutStopped(_ disclosures: [Disclosure]) -> [Disclosure] {
        disclosures.filter { $0.decision.customerReason == nil }
    }
}
