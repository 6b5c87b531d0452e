public import ConsentryCore
public import Foundation

/// The data behind the compliance reports, assembled as report documents.
public protocol ComplianceReportSource: Sendable {
    /// The access report (Art. 15); `nil` for an unknown or erased customer.
    func access(customerID: String, policy: Policy, now: Date) async throws -> ReportDocument?
    /// The erasure report; `nil` when no erasure of the customer is recorded.
    func erasure(customerID: String, now: Date) async throws -> ReportDocument?
    func consents(_ filter: ConsentReportFilter, policy: Policy, now: Date) async throws -> ReportDocument
    func requests(now: Date) async throws -> ReportDocument
}
