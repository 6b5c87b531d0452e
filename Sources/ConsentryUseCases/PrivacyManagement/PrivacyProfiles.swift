public import ConsentryCore
public import ConsentryRecords
import Foundation

/// TMF644 reads for modules: a customer's privacy profile and agreements, as the module's
/// grants and the customer's state let them out.
///
/// A module sees the standing of the purposes it holds, not every purpose of the policy (a
/// module that records consent sees them all); the
/// guardian who agreed is named only when the call's decision discloses `relatedParty`
/// (the only field decrypted, and only then); agreements are those of the module's purposes.
/// Every read is audited with its decision, like a customer read.
public struct PrivacyProfiles: Sendable {
    let reader: any CustomerDisclosures
    let consents: any ConsentRecords

    public init(reader: any CustomerDisclosures, consents: any ConsentRecords) {
        self.reader = reader
        self.consents = consents
    }

    /// One customer's profile as `call` may see it.
    public struct Profile: Sendable {
        public var customerID: String
        public var partyType: PartyType
        public var restricted: Bool
        /// The purposes the module holds, in id order.
        public var standings: [(purpose: Purpose, standing: ConsentStanding)]
        /// Who expressed the latest consent change among those purposes.
        public var agreedBy: ConsentEvent.ExpressedBy
        /// The guardian's customer id, when a guardian agreed and the decision discloses it.
        public var guardianID: String?
    }

    /// - Throws: `UseCaseError` `.notFound` (audited) for an unknown or erased id.
    public func profile(_ call: ModuleCall, customerID: String) async throws -> Profile {
        guard let profile = try await profiles(call, ids: [customerID]).first else {
            try await call.audit(action: .privacyProfileRead, outcome: "not_found", customerID: customerID)
            throw UseCaseError(.notFound, code: "not_found", "no customer with this id")
        }
        return profile
    }

    /// A page of profiles in customer id order, and how many customers there are.
    public func page(_ call: ModuleCall, offset: Int, limit: Int) async throws -> (total: Int, profiles: [Profile]) {
        let (total, ids) = try await consents.customerIDs(offset: offset, limit: limit)
        return (total, try await profiles(call, ids: ids))
    }

    /// The agreements (signed consent changes) of `customerID` for the module's purposes,
    /// newest first.
    public func agreements(_ call: ModuleCall, customerID: String) async throws -> [StoredReceipt] {
        let visible = visiblePurposes(call)
        let receipts = try await consents.receipts(customerID: customerID).filter { $0.purpose.map(visible.contains) ?? false }
        try await call.audit(action: .privacyAgreementList, outcome: "permitted", customerID: customerID, fields: receipts.isEmpty ? [] : ["consentReceipt"])
        return receipts
    }

    /// One agreement by its id, when it is of one of the module's purposes and the call may
    /// read its customer; with the customer's id and party type.
    /// - Throws: `UseCaseError` `.notFound` (audited) for an unknown id or one of a purpose
    ///   the module does not see (the same answer, so ids of other purposes are not confirmed).
    public func agreement(
        _ open: (_ customerID: String) async throws -> ModuleCall, id: String
    ) async throws -> (receipt: StoredReceipt, customerID: String, partyType: PartyType) {
        guard let (customerID, receipt) = try await consents.receipt(id: id),
            let (_, partyType) = try await consents.privacyState(customerID: customerID)
        else { throw UseCaseError(.notFound, code: "not_found", "no agreement with this id") }
        let call = try await open(customerID)
        guard let purpose = receipt.purpose, visiblePurposes(call).contains(purpose) else {
            try await call.audit(action: .privacyAgreementList, outcome: "not_found", customerID: customerID)
            throw UseCaseError(.notFound, code: "not_found", "no agreement with this id")
        }
        try await call.audit(action: .privacyAgreementList, outcome: "permitted", customerID: customerID, fields: ["consentReceipt"])
        return (receipt, customerID, partyType)
    }

    /// The party type of a customer whose agreements are listed (`.individual` when unknown).
    public func partyType(customerID: String) async throws -> PartyType {
        try await consents.privacyState(customerID: customerID)?.partyType ?? .individual
    }

    /// The purposes whose standing the module sees: its own; every purpose for a module that
    /// records consent for customers (an agent desktop tells the customer where they stand).
    private func visiblePurposes(_ call: ModuleCall) -> Set<String> {
        let policy = call.engine.policy
        guard let module = policy.modules[call.module] else { return [] }
        return module.operations.recordConsent ? Set(policy.purposes.keys) : module.purposes
    }

    private func profiles(_ call: ModuleCall, ids: [String]) async throws -> [Profile] {
        let policy = call.engine.policy
        let visible = visiblePurposes(call)
        let purposes = policy.purposes.values.filter { visible.contains($0.id) }.sorted { $0.id < $1.id }
        var latest: [String: ConsentEvent.ExpressedBy] = [:]
        for id in ids {
            let history = try await consents.history(customerID: id)
            latest[id] = history.last { $0.purpose.map(visible.contains) == true && [.given, .refused, .withdrawn].contains($0.kind) }?.expressedBy
        }
        // Only a guardian's agreement needs a personal field; nothing else is decrypted.
        let guardianAgreed = Set(ids.filter { latest[$0] == .guardian })
        let engine = call.engine
        let grant = call.grant
        let now = Date()
        let disclosures = try await reader.read(ids: ids) { state, type in
            // The guardian's id is asked for only where a guardian agreed; the state still decides.
            engine.decide(grant, customer: state, fields: guardianAgreed.contains(state.customerID) ? [.relatedParty] : [], now: now)
        }
        try await call.audit(disclosures: disclosures, action: .privacyProfileRead)
        return disclosures.map { disclosure in
            let customer = disclosure.customer
            let state = disclosure.state
            let guardian = customer.fields.lazy.filter { $0.path.isItem(of: "relatedParty") }
                .compactMap { try? JSONDecoder().decode(RelatedParty.self, from: Data($0.value)) }
                .first { $0.role.lowercased() == "guardian" }
            return Profile(
                customerID: customer.id, partyType: customer.partyType, restricted: state.restricted,
                standings: purposes.map { ($0, ConsentStanding(purpose: $0, state: state, now: now, jurisdiction: policy.jurisdiction(for: state.residence))) },
                agreedBy: latest[customer.id] ?? .customer, guardianID: guardian?.id)
        }
    }
}
