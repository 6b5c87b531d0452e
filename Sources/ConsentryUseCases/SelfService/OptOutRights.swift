public import ConsentryCore
public import ConsentryPolicy
public import ConsentryRecords
public import Foundation

/// Opt-out rights (CCPA/CPRA "do not sell or share my personal information", "limit the use
/// of my sensitive personal information") exercised by the customer, an agent for them, or
/// their browser's Global Privacy Control signal: each a consent event with a signed receipt,
/// an audit entry and an announcement to modules, in one transaction, like a consent change.
/// A right exists only where the customer's jurisdiction grants it.
public struct OptOutRights: Sendable {
    let policies: PolicyRegistry
    let consents: any ConsentRecords
    let receipts: any ConsentReceiptSigning
    let journal: any PrivacyChangeJournal

    public init(policies: PolicyRegistry, consents: any ConsentRecords, receipts: any ConsentReceiptSigning, journal: any PrivacyChangeJournal) {
        self.policies = policies
        self.consents = consents
        self.receipts = receipts
        self.journal = journal
    }

    /// Where a customer stands with one opt-out right of their jurisdiction.
    public struct Standing: Sendable {
        public var right: OptOutRight
        /// The purposes the right stops, in policy order.
        public var purposes: [Purpose]
        public var optedOut: Bool
        public var since: Date?
        public var channel: ConsentEvent.Channel?
        /// Whether a Global Privacy Control signal exercises it in this jurisdiction.
        public var honoursGPC: Bool
    }

    /// The customer's jurisdiction, and each opt-out right it grants with where they stand.
    /// - Throws: `UseCaseError` `.notFound` for an unknown customer.
    public func standings(customerID: String) async throws -> (jurisdiction: Jurisdiction, rights: [Standing]) {
        guard let (state, _) = try await consents.privacyState(customerID: customerID) else { throw UseCaseError.customerNotFound }
        let policy = policies.policy
        let jurisdiction = policy.jurisdiction(for: state.residence)
        guard !jurisdiction.optOuts.isEmpty else { return (jurisdiction, []) }
        let history = try await consents.history(customerID: customerID)
        let rights = jurisdiction.optOuts.keys.sorted().map { right in
            let last = history.last { ($0.kind == .optOut || $0.kind == .optOutWithdrawn) && $0.purpose == right.rawValue }
            return Standing(
                right: right, purposes: purposes(of: right, in: jurisdiction, policy: policy), optedOut: state.optOuts.contains(right),
                since: last?.occurredAt, channel: last?.channel, honoursGPC: jurisdiction.optOuts[right]?.honoursGPC ?? false)
        }
        return (jurisdiction, rights)
    }

    /// Exercises (or withdraws) an opt-out right.
    /// - Throws: `UseCaseError` `.notFound` for an unknown right, `.conflict`
    ///   `opt_out_not_applicable` where the customer's jurisdiction does not grant it.
    @discardableResult
    public func exercise(
        subject: ConsentSubject, right rightID: String, optedOut: Bool, channel: ConsentEvent.Channel, expressedBy: ConsentEvent.ExpressedBy,
        actorID: String?, actor: AuditActor, requestID: String
    ) async throws -> ConsentChange.Recorded {
        guard let right = OptOutRight(rawValue: rightID) else {
            throw UseCaseError(.notFound, code: "unknown_right", "no opt-out right with this id; they are " + OptOutRight.allCases.map(\.rawValue).joined(separator: ", "))
        }
        let policy = policies.policy
        let jurisdiction = policy.jurisdiction(for: subject.residence)
        guard jurisdiction.optOuts[right] != nil else {
            throw UseCaseError(
                .conflict, code: "opt_out_not_applicable",
                "\(jurisdiction.law) does not provide this opt-out; the purposes it would cover need your consent there instead")
        }
        let now = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
        let receiptID = UUID().uuidString.lowercased()
        let receipt = ConsentReceipt(
            receiptID: receiptID, customerID: subject.customerID,
            subject: .optOut(right, optedOut: optedOut, covering: purposes(of: right, in: jurisdiction, policy: policy)), policy: policy,
            jurisdiction: jurisdiction, method: channel.rawValue, expressedBy: expressedBy.rawValue, language: subject.preferredLanguage, at: now)
        let jws = try await receipts.sign(receipt)
        let event = ConsentEvent(
            customerID: subject.customerID, purpose: right.rawValue, kind: optedOut ? .optOut : .optOutWithdrawn, occurredAt: now,
            channel: channel, expressedBy: expressedBy, actorID: actorID)
        try await journal.record(
            event, receipt: StoredReceipt(id: receiptID, purpose: right.rawValue, issuedAt: now, jws: jws),
            audit: [AuditEvent(
                actor: actor, action: .optOut(right.rawValue, exercised: optedOut), customerID: subject.customerID,
                fields: ["expressedBy:\(expressedBy.rawValue)", "channel:\(channel.rawValue)", "jurisdiction:\(jurisdiction.id)"]
                    + (actorID.map { ["agent:" + $0] } ?? []),
                outcome: "succeeded", policyVersion: policy.version, requestID: requestID)],
            correlationID: requestID)
        return ConsentChange.Recorded(receiptID: receiptID, jws: jws, at: now, noticeVersion: policy.version)
    }

    /// Whether request headers carry a Global Privacy Control signal: per the specification,
    /// a `Sec-GPC` value of exactly `1`; anything else is no signal.
    public static func signalled(_ values: [String]) -> Bool {
        values.contains { $0.trimmingCharacters(in: .whitespaces) == "1" }
    }

    /// Honours a Global Privacy Control signal (`Sec-GPC: 1`): every opt-out the customer's
    /// jurisdiction says GPC exercises, and the customer has not exercised, is recorded with
    /// channel `gpc`. Where the law attaches nothing to the signal (GDPR), nothing changes.
    /// A customer who, knowing of the signal, opted back in themselves keeps that choice
    /// (CPRA regulations § 7025(c)(3): the business may offer to consent despite the signal).
    /// - Returns: the rights newly exercised.
    /// `subject` is asked for (it decrypts) only when an opt-out is still to be recorded, so a
    /// signal repeated on every request costs one state read.
    public func honourGlobalPrivacyControl(
        customerID: String, residence: Residence, subject: @Sendable () async throws -> ConsentSubject, actor: AuditActor, requestID: String
    ) async throws -> [OptOutRight] {
        let rights = policies.policy.jurisdiction(for: residence).gpcOptOuts
        guard !rights.isEmpty, let (state, _) = try await consents.privacyState(customerID: customerID) else { return [] }
        let pending = rights.filter { !state.optOuts.contains($0) }
        guard !pending.isEmpty else { return [] }
        let history = try await consents.history(customerID: customerID)
        let subject = try await subject()
        var exercised: [OptOutRight] = []
        for right in pending {
            let last = history.last { ($0.kind == .optOut || $0.kind == .optOutWithdrawn) && $0.purpose == right.rawValue }
            if last?.kind == .optOutWithdrawn { continue }
            try await exercise(
                subject: subject, right: right.rawValue, optedOut: true, channel: .gpc, expressedBy: .customer, actorID: nil, actor: actor,
                requestID: requestID)
            exercised.append(right)
        }
        return exercised
    }

    private func purposes(of right: OptOutRight, in jurisdiction: Jurisdiction, policy: Policy) -> [Purpose] {
        (jurisdiction.optOuts[right]?.purposes ?? []).sorted().compactMap { policy.purposes[$0] }
    }
}
