public import ConsentryCore
public import ConsentryPolicy
public import ConsentryRecords
import Foundation

/// Files a data-subject request the same way whoever files it (the customer through
/// `/self`, an agent for a caller through TMF644, an officer through `/compliance`):
/// validated against the policy, duplicates detected, audited, an erasure request announced.
public struct RequestFiling: Sendable {
    let policies: PolicyRegistry
    let consents: any ConsentRecords
    let customers: any CustomerRecords
    let journal: any PrivacyChangeJournal

    public init(policies: PolicyRegistry, consents: any ConsentRecords, customers: any CustomerRecords, journal: any PrivacyChangeJournal) {
        self.policies = policies
        self.consents = consents
        self.customers = customers
        self.journal = journal
    }

    /// - Parameter identityVerified: the filer checked the customer's identity (an agent on
    ///   the call, an officer): the request starts as `identity_verified`, recorded as theirs.
    /// - Returns: the stored request, and whether an open duplicate was returned instead.
    /// - Throws: `UseCaseError` `.invalid` for an unknown purpose or field, `.notFound` for an
    ///   unknown or erased customer.
    public func file(
        customerID: String, type: DataSubjectRequest.RequestType, purpose: String?, fields: [String], channel: String,
        filedBy: DataSubjectRequest.FiledBy, filedByID: String?, identityVerified: Bool, actor: AuditActor, requestID: String
    ) async throws -> (request: DataSubjectRequest, duplicate: Bool) {
        if let purpose, policies.policy.purposes[purpose] == nil {
            throw UseCaseError(
                .invalid, code: "validation_failed", "unknown purpose",
                issues: [ValidationIssue(path: "purpose", code: "unknown_purpose", message: "must be a purpose id of the policy")])
        }
        for field in fields where PolicyField(rawValue: field) == nil {
            throw UseCaseError(
                .invalid, code: "validation_failed", "unknown field",
                issues: [ValidationIssue(path: "fields", code: "unknown_field", message: "must be field names such as contactMedium.email or engagedParty.familyName")])
        }
        if type == .humanReview {
            guard let purpose, policies.policy.purposes[purpose]?.automatedDecision != nil else {
                throw UseCaseError(
                    .invalid, code: "validation_failed", "a human review is of an automated decision",
                    issues: [ValidationIssue(path: "purpose", code: "not_automated", message: "name a purpose that makes automated decisions (GDPR Art. 22)")])
            }
        }
        guard let (state, _) = try await consents.privacyState(customerID: customerID), try await customers.customer(id: customerID) != nil else {
            throw UseCaseError.customerNotFound
        }
        let jurisdiction = policies.policy.jurisdiction(for: state.residence)
        guard let deadline = jurisdiction.rights[type] else {
            throw UseCaseError(
                .conflict, code: "right_not_granted",
                "\(jurisdiction.law) does not grant a \(type.rawValue) request; the rights there are "
                    + jurisdiction.rights.keys.map(\.rawValue).sorted().joined(separator: ", "))
        }
        let now = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
        var request = DataSubjectRequest(
            id: UUID().uuidString.lowercased(), customerID: customerID, type: type, receivedAt: now, channel: channel,
            filedBy: filedBy, filedByID: filedByID, purpose: purpose, fields: fields, jurisdiction: jurisdiction.id, deadline: deadline)
        if identityVerified {
            request.status = .identityVerified
            request.handledBy = filedByID
        }
        return try await journal.file(
            request,
            audit: [AuditEvent(
                actor: actor, action: .requestFiled, customerID: customerID, purpose: purpose,
                fields: ["type:\(type.rawValue)", "filedBy:\(filedBy.rawValue)", "jurisdiction:\(jurisdiction.id)"] + (identityVerified ? ["identity:verified"] : []),
                outcome: "succeeded", policyVersion: policies.policy.version, requestID: requestID)],
            correlationID: requestID)
    }
}
