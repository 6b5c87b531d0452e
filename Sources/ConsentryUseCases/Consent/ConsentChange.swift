public import ConsentryCore
public import ConsentryPolicy
public import ConsentryStore
public import Foundation

/// Records one consent change the same way whoever expresses it (the customer through
/// `/self`, a guardian, an agent through TMF644): policy checks, a signed receipt, then the
/// history event, its receipt, its audit entry and its outbox event in one transaction.
public struct ConsentChange: Sendable {
    let policies: PolicyRegistry
    let receipts: any ConsentReceiptSigning
    let journal: ChangeJournal

    public init(policies: PolicyRegistry, receipts: any ConsentReceiptSigning, journal: ChangeJournal) {
        self.policies = policies
        self.receipts = receipts
        self.journal = journal
    }

    public struct Recorded: Sendable {
        public var receiptID: String
        public var jws: String
        public var at: Date
        public var noticeVersion: String
    }

    /// - Throws: `UseCaseError` `.notFound` for an unknown purpose, `.conflict` for a purpose
    ///   that does not rest on consent, `.forbidden` `guardian_required` for a minor's own consent.
    public func record(
        customer: Customer, purposeID: String, status: ConsentStatus, channel: ConsentEvent.Channel, expressedBy: ConsentEvent.ExpressedBy,
        actorID: String?, actor: AuditActor, requestID: String
    ) async throws -> Recorded {
        let policy = policies.policy
        guard let purpose = policy.purposes[purposeID] else {
            throw UseCaseError(.notFound, code: "unknown_purpose", "no purpose with this id")
        }
        guard purpose.legalBasis == .consent, let settings = purpose.consent else {
            throw UseCaseError(
                .conflict, code: "consent_not_applicable",
                "this purpose rests on \(purpose.legalBasis.rawValue), not consent" + (purpose.legalBasis.allowsObjection ? "; object to it instead" : ""))
        }
        let now = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
        // GDPR Art. 8: below the age, consent must come from the holder of parental responsibility.
        if status == .given, expressedBy != .guardian, let age = customer.profile.age(at: now), age < settings.guardianRequiredUnderAge {
            throw UseCaseError(
                .forbidden, code: "guardian_required",
                "below \(settings.guardianRequiredUnderAge), consent for this purpose must come from a parent or guardian (GDPR Art. 8)")
        }
        let receiptID = UUID().uuidString.lowercased()
        let receipt = ConsentReceipt(
            receiptID: receiptID, customerID: customer.id, purpose: purpose, policy: policy, status: status, method: channel.rawValue,
            expressedBy: expressedBy.rawValue, language: customer.profile.preferredLanguage, at: now)
        let jws = try await receipts.sign(receipt)
        let event = ConsentEvent(
            customerID: customer.id, purpose: purpose.id, kind: ConsentEvent.Kind(rawValue: status.rawValue)!, occurredAt: now,
            channel: channel, expressedBy: expressedBy, actorID: actorID, noticeVersion: purpose.noticeVersion)
        try await journal.record(
            event, receipt: StoredReceipt(id: receiptID, purpose: purpose.id, issuedAt: now, jws: jws),
            audit: [AuditEvent(
                actor: actor, action: "consent.\(status.rawValue)", customerID: customer.id, purpose: purpose.id,
                fields: ["expressedBy:\(expressedBy.rawValue)", "channel:\(channel.rawValue)"] + (actorID.map { [(actor.kind == .module ? "agent:" : "guardian:") + $0] } ?? []),
                outcome: "succeeded", policyVersion: policy.version, requestID: requestID)],
            correlationID: requestID)
        return Recorded(receiptID: receiptID, jws: jws, at: now, noticeVersion: purpose.noticeVersion)
    }
}
