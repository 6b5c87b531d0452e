public import ConsentryCore
public import ConsentryPolicy
public import ConsentryRecords
public import Foundation

/// Records one consent change the same way whoever expresses it (the customer through
/// `/self`, a guardian, an agent through TMF644): policy checks, a signed receipt, then the
/// history event, its receipt, its audit entry and its outbox event in one transaction.
public struct ConsentChange: Sendable {
    let policies: PolicyRegistry
    let receipts: any ConsentReceiptSigning
    let journal: any PrivacyChangeJournal

    public init(policies: PolicyRegistry, receipts: any ConsentReceiptSigning, journal: any PrivacyChangeJournal) {
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

    /// - Parameter guardianID: for `expressedBy: .guardian`, the guardian's customer id; it
    ///   must be linked to the customer as their guardian.
    /// - Throws: `UseCaseError` `.notFound` for an unknown purpose, `.conflict` for a purpose
    ///   that does not rest on consent, `.forbidden` `guardian_required` for a minor's own
    ///   consent (or one whose age is unknown), `guardian_not_linked` for a guardian the
    ///   customer does not have, `not_a_minor` for a guardian acting for an adult.
    public func record(
        customer: Customer, purposeID: String, status: ConsentStatus, channel: ConsentEvent.Channel, expressedBy: ConsentEvent.ExpressedBy,
        guardianID: String? = nil, actorID: String?, actor: AuditActor, requestID: String
    ) async throws -> Recorded {
        try await record(
            subject: ConsentSubject(customer), purposeID: purposeID, status: status, channel: channel, expressedBy: expressedBy,
            guardianID: guardianID, actorID: actorID, actor: actor, requestID: requestID)
    }

    /// The same, from what consent needs to know of the customer (`ConsentSubject`).
    public func record(
        subject customer: ConsentSubject, purposeID: String, status: ConsentStatus, channel: ConsentEvent.Channel, expressedBy: ConsentEvent.ExpressedBy,
        guardianID: String? = nil, actorID: String?, actor: AuditActor, requestID: String
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
        let jurisdiction = policy.jurisdiction(for: customer.residence)
        try checkGuardian(
            customer: customer, consentAge: jurisdiction.consentAge(for: purpose) ?? settings.guardianRequiredUnderAge,
            majority: policy.ageOfMajority(in: jurisdiction), law: jurisdiction, status: status, expressedBy: expressedBy,
            guardianID: guardianID, now: now)
        let receiptID = UUID().uuidString.lowercased()
        let receipt = ConsentReceipt(
            receiptID: receiptID, customerID: customer.customerID, subject: .consent(purpose, status), policy: policy, jurisdiction: jurisdiction,
            method: channel.rawValue, expressedBy: expressedBy.rawValue, language: customer.preferredLanguage, at: now)
        let jws = try await receipts.sign(receipt)
        let event = ConsentEvent(
            customerID: customer.customerID, purpose: purpose.id, kind: ConsentEvent.Kind(rawValue: status.rawValue)!, occurredAt: now,
            channel: channel, expressedBy: expressedBy, actorID: actorID, noticeVersion: purpose.noticeVersion)
        try await journal.record(
            event, receipt: StoredReceipt(id: receiptID, purpose: purpose.id, issuedAt: now, jws: jws),
            audit: [AuditEvent(
                actor: actor, action: .consent(status.rawValue), customerID: customer.customerID, purpose: purpose.id,
                fields: ["expressedBy:\(expressedBy.rawValue)", "channel:\(channel.rawValue)"]
                    + (actorID.map { [(actor.kind == .module ? "agent:" : "guardian:") + $0] } ?? [])
                    + (actor.kind == .module ? guardianID.map { ["guardian:\($0)"] } ?? [] : []),
                outcome: "succeeded", policyVersion: policy.version, requestID: requestID)],
            correlationID: requestID)
        return Recorded(receiptID: receiptID, jws: jws, at: now, noticeVersion: purpose.noticeVersion)
    }

    /// GDPR Art. 8 and its equivalents: below the consent age of the customer's jurisdiction
    /// (or the purpose's own), consent must come from the holder of parental responsibility;
    /// a guardian must be one the customer has, and acts only for a minor.
    private func checkGuardian(
        customer: ConsentSubject, consentAge: Int, majority: Int, law: Jurisdiction, status: ConsentStatus,
        expressedBy: ConsentEvent.ExpressedBy, guardianID: String?, now: Date
    ) throws {
        guard customer.partyType == .individual else { return }
        let age = customer.age(at: now)
        if expressedBy == .guardian {
            guard let guardianID, customer.guardianIDs.contains(guardianID) else {
                throw UseCaseError(.forbidden, code: "guardian_not_linked", "name the guardian (their customer id); it must be linked to this customer as guardian")
            }
            if let age, age >= majority {
                throw UseCaseError(.forbidden, code: "not_a_minor", "this customer is of age (\(majority)) and expresses their own consent")
            }
            return
        }
        guard status == .given else { return }  // refusing or withdrawing never needs a guardian
        guard let age else {
            throw UseCaseError(
                .forbidden, code: "guardian_required",
                "this customer's age is unknown: record their birth date, or have a guardian consent (below \(consentAge), \(law.law))")
        }
        if age < consentAge {
            throw UseCaseError(
                .forbidden, code: "guardian_required",
                "below \(consentAge), consent for this purpose must come from a parent or guardian (\(law.law))")
        }
    }
}
