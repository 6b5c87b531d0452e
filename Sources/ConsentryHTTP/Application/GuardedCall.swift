import ConsentryCore
import ConsentryPolicy
import ConsentryStore
import Foundation
import HTTPTypes
import Hummingbird
import Prometheus

/// One authorised module call: the grant it runs under and how it audits. Every module
/// route that touches a customer opens one through `begin`, the single purpose gate.
struct GuardedCall: Sendable {
    let services: ConsentryServices
    let engine: DecisionEngine
    let module: String
    let requestID: String
    let operation: ModuleOperation
    /// `nil` only while the request is being refused.
    let grantOrNil: PurposeGrant?
    let purposeID: String

    init(services: ConsentryServices, engine: DecisionEngine, module: String, requestID: String, operation: ModuleOperation, grant: PurposeGrant?, purposeID: String) {
        self.services = services
        self.engine = engine
        self.module = module
        self.requestID = requestID
        self.operation = operation
        self.grantOrNil = grant
        self.purposeID = purposeID
    }

    var grant: PurposeGrant { grantOrNil! }

    /// The purpose gate: the module must declare in `X-Purpose` a purpose it holds and be
    /// allowed `operation` for it. A refusal is audited (`access.denied`) and answered 403
    /// with the reason code.
    static func begin(
        services: ConsentryServices, request: Request, context: ConsentryRequestContext, operation: ModuleOperation, customerID: String? = nil
    ) async throws -> GuardedCall {
        guard let principal = context.principal else { throw ApiKeyAuthenticator.unauthorized("no credential") }
        guard let purpose = request.headers[.purpose], !purpose.isEmpty else {
            throw ProblemDetails(status: .badRequest, code: "purpose_required", detail: "declare the purpose of this call in the X-Purpose header")
        }
        let engine = services.policies.engine
        do {
            let grant = try engine.authorize(module: principal.id, purpose: purpose, operation: operation)
            return GuardedCall(
                services: services, engine: engine, module: principal.id, requestID: context.requestID, operation: operation,
                grant: grant, purposeID: purpose)
        } catch {
            let refused = GuardedCall(
                services: services, engine: engine, module: principal.id, requestID: context.requestID, operation: operation,
                grant: nil, purposeID: purpose)
            try await refused.denied(error.reason, customerID: customerID)
        }
    }

    func decide(_ selection: FieldSelection) -> GuardedCustomerReader.Decide {
        let engine = engine
        let grant = grant
        let now = Date()
        return { state, type in engine.decide(grant, customer: state, fields: selection.policyFields(for: type), now: now) }
    }

    /// Audits each customer's decision, then returns (so data leaves only after).
    func audit(disclosures: [Disclosure], action: String, emptyOutcome: String? = nil, searchedBy: PolicyField? = nil) async throws {
        if disclosures.isEmpty, let emptyOutcome {
            try await audit(action: action, outcome: emptyOutcome, fields: searchedBy.map { ["searchedBy:\($0.rawValue)"] } ?? [])
            return
        }
        let actor = AuditActor(.module, module)
        var outcomes: [AccessDecision.Outcome: Int] = [:]
        for disclosure in disclosures { outcomes[disclosure.decision.outcome, default: 0] += 1 }
        for (outcome, count) in outcomes { countDecisions(outcome.rawValue, count) }
        try await services.audit.record(disclosures.map { disclosure in
            let decision = disclosure.decision
            var fields = decision.fields.map { $0.treatment == .plain ? $0.field.rawValue : "\($0.field.rawValue):\($0.treatment.rawValue)" }
            if let searchedBy { fields.append("searchedBy:\(searchedBy.rawValue)") }
            return AuditEvent(
                actor: actor, action: action, customerID: disclosure.customer.id, purpose: decision.purpose, fields: fields,
                outcome: decision.outcome.rawValue, reasons: decision.reasonCodes.map(\.rawValue), policyVersion: decision.policyVersion,
                requestID: requestID)
        })
    }

    func audit(action: String, outcome: String, customerID: String? = nil, fields: [String] = [], reasons: [String] = []) async throws {
        try await services.audit.record(auditEvent(action: action, outcome: outcome, customerID: customerID, fields: fields, reasons: reasons))
    }

    func auditEvent(action: String, outcome: String, customerID: String? = nil, fields: [String] = [], reasons: [String] = []) -> AuditEvent {
        AuditEvent(
            actor: AuditActor(.module, module), action: action, customerID: customerID, purpose: purposeID, fields: fields,
            outcome: outcome, reasons: reasons, policyVersion: engine.policy.version, requestID: requestID)
    }

    /// `consentry_decisions_total{module, purpose, outcome}`: labels are policy ids, bounded by the policy.
    private func countDecisions(_ outcome: String, _ count: Int) {
        // An unknown purpose is the caller's text: count it under one label, never echo it.
        let purpose = engine.policy.purposes[purposeID] != nil ? purposeID : "unknown"
        services.metrics.makeCounter(
            descriptor: MetricNames.decisions, labels: [("module", module), ("purpose", purpose), ("outcome", outcome)]
        ).increment(by: Int64(count))
    }

    /// Audits a refusal and throws the 403.
    func denied(_ reason: ReasonCode, customerID: String? = nil) async throws -> Never {
        countDecisions("refused", 1)
        try await audit(action: "access.denied", outcome: "denied", customerID: customerID, fields: ["operation:\(operation.rawValue)"], reasons: [reason.rawValue])
        var problem = ProblemDetails(status: .forbidden, code: "access_denied", detail: reason.explanation)
        problem.reason = reason.rawValue
        throw problem
    }
}

