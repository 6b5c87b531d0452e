public import ConsentryCore
public import ConsentryPolicy
public import ConsentryRecords

/// The purpose gate every module call passes, whatever the surface (TMF629/632, TMF644,
/// the hub): the module must declare a purpose it holds and be allowed the operation for it.
/// A refusal is audited (`access.denied`) before it is thrown.
public struct PurposeGate: Sendable {
    let policies: PolicyRegistry
    let audit: any AuditTrail
    let counter: any DecisionCounting

    public init(policies: PolicyRegistry, audit: any AuditTrail, counter: any DecisionCounting = NoDecisionCounting()) {
        self.policies = policies
        self.audit = audit
        self.counter = counter
    }

    /// - Parameters:
    ///   - purpose: as the module declared it; `nil` or empty is refused (`purpose_required`).
    ///   - customerID: the customer the call is about, recorded with a refusal.
    /// - Throws: `UseCaseError` `.invalid` without a purpose, `.forbidden` with the reason code.
    public func open(
        module: String, purpose: String?, operation: ModuleOperation, requestID: String, customerID: String? = nil
    ) async throws -> ModuleCall {
        guard let purpose, !purpose.isEmpty else {
            throw UseCaseError(.invalid, code: "purpose_required", "declare the purpose of this call in the X-Purpose header")
        }
        let engine = policies.engine
        do {
            let grant = try engine.authorize(module: module, purpose: purpose, operation: operation)
            return ModuleCall(
                audit: audit, counter: counter, engine: engine, module: module, requestID: requestID, operation: operation, grantOrNil: grant,
                purposeID: purpose)
        } catch {
            let refused = ModuleCall(
                audit: audit, counter: counter, engine: engine, module: module, requestID: requestID, operation: operation, grantOrNil: nil,
                purposeID: purpose)
            try await refused.denied(error.reason, customerID: customerID)
        }
    }
}
