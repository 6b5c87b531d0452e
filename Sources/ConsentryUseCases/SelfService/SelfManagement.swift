public import ConsentryCore
public import ConsentryPolicy
public import ConsentryRecords
public import Foundation

/// What a signed-in customer changes about themselves (GDPR Art. 16, 18, 21): contact
/// corrections, objections and restriction, each recorded with its audit entry and announced
/// to modules in one transaction; and where they stand with each purpose. Consent changes go
/// through `ConsentChange`.
public struct SelfManagement: Sendable {
    let policies: PolicyRegistry
    let consents: any ConsentRecords
    let journal: any PrivacyChangeJournal
    let corrections: any CustomerCorrections
    let audit: any AuditTrail

    public init(
        policies: PolicyRegistry, consents: any ConsentRecords, journal: any PrivacyChangeJournal, corrections: any CustomerCorrections,
        audit: any AuditTrail
    ) {
        self.policies = policies
        self.consents = consents
        self.journal = journal
        self.corrections = corrections
        self.audit = audit
    }

    /// Where `customer` stands with every purpose of the policy, in purpose id order.
    /// - Throws: `UseCaseError` `.notFound` for a customer no longer stored.
    public func standings(of customer: Customer, now: Date = Date()) async throws -> (restricted: Bool, purposes: [(purpose: Purpose, standing: ConsentStanding)]) {
        guard let (state, _) = try await consents.privacyState(customerID: customer.id) else { throw UseCaseError.customerNotFound }
        let purposes = policies.policy.purposes.values.sorted { $0.id < $1.id }
        return (state.restricted, purposes.map { ($0, ConsentStanding(purpose: $0, state: state, now: now, jurisdiction: policies.policy.jurisdiction(for: state.residence))) })
    }

    /// Objects to (or withdraws the objection to) a purpose resting on legitimate interest or
    /// public task. - Throws: `UseCaseError` `.notFound` for an unknown purpose, `.conflict`
    /// for one the right to object does not apply to.
    public func object(customer: Customer, purposeID: String, objecting: Bool, channel: ConsentEvent.Channel, requestID: String) async throws {
        guard let purpose = policies.policy.purposes[purposeID] else {
            throw UseCaseError(.notFound, code: "unknown_purpose", "no purpose with this id; see GET /self/v1/me/consents")
        }
        guard purpose.legalBasis.allowsObjection else {
            throw UseCaseError(
                .conflict, code: "objection_not_applicable",
                "this purpose rests on \(purpose.legalBasis.rawValue)"
                    + (purpose.legalBasis == .consent ? "; withdraw your consent instead" : ", to which the right to object does not apply"))
        }
        try await journal.record(
            ConsentEvent(customerID: customer.id, purpose: purpose.id, kind: objecting ? .objection : .objectionWithdrawn, channel: channel, expressedBy: .customer),
            receipt: nil, audit: [auditEvent(customer, action: objecting ? .objectionRaised : .objectionWithdrawn, purpose: purpose.id, requestID: requestID)],
            correlationID: requestID)
    }

    /// Restricts processing of all the customer's data, or lifts the restriction. While
    /// restricted, only purposes resting on legal obligation or vital interest go on.
    public func restrict(customer: Customer, restricting: Bool, channel: ConsentEvent.Channel, requestID: String) async throws {
        try await journal.record(
            ConsentEvent(customerID: customer.id, purpose: nil, kind: restricting ? .restriction : .restrictionLifted, channel: channel, expressedBy: .customer),
            receipt: nil, audit: [auditEvent(customer, action: restricting ? .restrictionRequested : .restrictionLifted, requestID: requestID)],
            correlationID: requestID)
    }

    /// Replaces the customer's contact media (validated, re-encrypted, re-indexed).
    /// - Returns: the stored customer and the fields that changed.
    /// - Throws: `ValidationError`; `UseCaseError` `.conflict` `version_conflict` when the
    ///   customer changed since `customer` was read.
    public func correctContacts(customer: Customer, patch: CustomerPatch, requestID: String) async throws -> (customer: Customer, changed: [PolicyField]) {
        let draft = try patch.applied(to: customer)
        let changed = PolicyField.changes(from: customer.profile, to: draft.profile).sorted()
        let fields = changed.map(\.rawValue)
        guard !fields.isEmpty else {
            try await audit.record(auditEvent(customer, action: .selfRectify, fields: [], requestID: requestID))
            return (customer, [])
        }
        do {
            let updated = try await corrections.correct(
                id: customer.id, expectedVersion: customer.version, to: draft, changedFields: fields,
                audit: [auditEvent(customer, action: .selfRectify, fields: fields, requestID: requestID)], correlationID: requestID)
            return (updated, changed)
        } catch let error as StoreError where error.code == .versionConflict {
            throw UseCaseError(.conflict, code: "version_conflict", error.message)
        }
    }

    func auditEvent(_ customer: Customer, action: AuditAction, purpose: String? = nil, fields: [String] = [], requestID: String) -> AuditEvent {
        AuditEvent(
            actor: AuditActor(.customer, customer.id), action: action, customerID: customer.id, purpose: purpose, fields: fields,
            outcome: "succeeded", policyVersion: policies.policy.version, requestID: requestID)
    }
}
