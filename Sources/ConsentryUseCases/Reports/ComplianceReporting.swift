public import ConsentryCore
public import ConsentryPolicy
public import ConsentryRecords
public import Foundation

/// The compliance reports, the same through `/compliance/v1/reports` and `consentry report`:
/// the record of processing (Art. 30), a customer's access report (Art. 15), an erasure
/// report, consent and request reports. A report about one customer is audited with who
/// produced it, whichever surface asked.
public struct ComplianceReporting: Sendable {
    let reports: any ComplianceReportSource
    let audit: any AuditTrail
    let policies: PolicyRegistry

    public init(reports: any ComplianceReportSource, audit: any AuditTrail, policies: PolicyRegistry) {
        self.reports = reports
        self.audit = audit
        self.policies = policies
    }

    public func recordOfProcessing(now: Date = Date()) -> ReportDocument {
        ReportDocument.recordOfProcessing(policy: policies.policy, generatedAt: now)
    }

    /// Everything held about the customer, decrypted: audited (`report.access`) before it is returned.
    /// - Throws: `UseCaseError` `.notFound` for an unknown or erased customer.
    public func access(customerID: String, by actor: AuditActor, requestID: String?) async throws -> ReportDocument {
        let policy = policies.policy
        guard let report = try await reports.access(customerID: customerID, policy: policy, now: Date()) else {
            throw UseCaseError(.notFound, code: "not_found", "no customer with this id (an erased one has an erasure report)")
        }
        try await record(.reportAccess, customerID: customerID, fields: PolicyField.allCases.map(\.rawValue), actor: actor, requestID: requestID)
        return report
    }

    /// What an erasure destroyed and kept, and which modules acknowledged it: audited (`report.erasure`).
    /// - Throws: `UseCaseError` `.notFound` when no erasure of the customer is recorded.
    public func erasure(customerID: String, by actor: AuditActor, requestID: String?) async throws -> ReportDocument {
        guard let report = try await reports.erasure(customerID: customerID, now: Date()) else {
            throw UseCaseError(.notFound, code: "not_found", "no erasure of this customer is recorded")
        }
        try await record(.report("erasure"), customerID: customerID, fields: [], actor: actor, requestID: requestID)
        return report
    }

    public func consents(_ filter: ConsentReportFilter) async throws -> ReportDocument {
        try await reports.consents(filter, policy: policies.policy, now: Date())
    }

    public func requests() async throws -> ReportDocument {
        try await reports.requests(now: Date())
    }

    private func record(_ action: AuditAction, customerID: String, fields: [String], actor: AuditActor, requestID: String?) async throws {
        try await audit.record(AuditEvent(
            actor: actor, action: action, customerID: customerID, fields: fields, outcome: "succeeded",
            policyVersion: policies.policy.version, requestID: requestID))
    }
}
