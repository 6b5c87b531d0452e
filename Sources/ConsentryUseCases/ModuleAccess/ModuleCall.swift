public import ConsentryCore
public import ConsentryRecords
import Foundation

/// One authorised module call: the grant it runs under and how it audits. Opened by
/// `PurposeGate.open`, the single purpose gate.
public struct ModuleCall: Sendable {
    let audit: any AuditTrail
    let counter: any DecisionCounting
    public let engine: DecisionEngine
    public let module: String
    public let requestID: String
    public let operation: ModuleOperation
    /// `nil` only while the call is being refused.
    let grantOrNil: PurposeGrant?
    public let purposeID: String

    public var grant: PurposeGrant { grantOrNil! }

    /// The decision for each customer the call touches, for the fields it asks for.
    public func decide(_ selection: FieldSelection) -> AccessDecider {
        let engine = engine
        let grant = grant
        let now = Date()
        return { state, type in engine.decide(grant, customer: state, fields: selection.policyFields(for: type), now: now) }
    }

    /// Audits each customer's decision, then returns (so data leaves only after).
    public func audit(disclosures: [Disclosure], action: AuditAction, emptyOutcome: String? = nil, searchedBy: PolicyField? = nil) async throws {
        if disclosures.isEmpty, let emptyOutcome {
            try await audit(action: action, outcome: emptyOutcome, fields: searchedBy.map { ["searchedBy:\($0.rawValue)"] } ?? [])
            return
        }
        let actor = AuditActor(.module, module)
        var outcomes: [AccessDecision.Outcome: Int] = [:]
        for disclosure in disclosures { outcomes[disclosure.decision.outcome, default: 0] += 1 }
        for (outcome, count) in outcomes { countDecisions(outcome.rawValue, count) }
        try await audit.record(disclosures.map { disclosure in
            let decision = disclosure.decision
            var fields = decision.fields.map { $0.treatment == .plain ? $0.field.rawValue : "\($0.field.rawValue):\($0.treatment.rawValue)" }
            if let searchedBy { fields.append("searchedBy:\(searchedBy.rawValue)") }
            return AuditEvent(
                actor: actor, action: action, customerID: disclosure.customer.id, purpose: decision.purpose, fields: fields,
                outcome: decision.outcome.rawValue, reasons: decision.reasonCodes.map(\.rawValue), policyVersion: decision.policyVersion,
                requestID: requestID)
        })
    }

    public func audit(action: AuditAction, outcome: String, customerID: String? = nil, fields: [String] = [], reasons: [String] = []) async throws {
        try await audit.record(auditEvent(action: action, outcome: outcome, customerID: customerID, fields: fields, reasons: reasons))
    }

    public func auditEvent(action: AuditAction, outcome: String, customerID: String? = nil, fields: [String] = [], reasons: [String] = []) -> AuditEvent {
        // What the caller typed is recorded only once it is known to be an id: an unknown
        // purpose is `unknown`, a customer id of another shape is left out.
        AuditEvent(
            actor: AuditActor(.module, module), action: action, customerID: customerID.flatMap(Self.plausibleID),
            purpose: engine.policy.purposes[purposeID] != nil ? purposeID : "unknown", fields: fields,
            outcome: outcome, reasons: reasons, policyVersion: engine.policy.version, requestID: requestID)
    }

    /// A customer id as Consentry issues them (UUIDs), or `nil` for anything else.
    static func plausibleID(_ text: String) -> String? {
        text.count <= 64 && text.utf8.allSatisfy { $0 == UInt8(ascii: "-") || ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) || ($0 >= 65 && $0 <= 70) }
            ? text : nil
    }

    /// Labels are policy ids, bounded by the policy; an unknown purpose is the caller's text,
    /// counted under one label and never echoed.
    private func countDecisions(_ outcome: String, _ count: Int) {
        let purpose = engine.policy.purposes[purposeID] != nil ? purposeID : "unknown"
        counter.count(module: module, purpose: purpose, outcome: outcome, by: count)
    }

    /// Audits a refusal and throws it.
    public func denied(_ reason: ReasonCode, customerID: String? = nil) async throws -> Never {
        countDecisions("refused", 1)
        try await audit(action: .accessDenied, outcome: "denied", customerID: customerID, fields: ["operation:\(operation.rawValue)"], reasons: [reason.rawValue])
        throw UseCaseError.denied(reason)
    }
}
