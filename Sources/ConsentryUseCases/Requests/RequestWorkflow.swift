public import ConsentryCore
public import ConsentryPolicy
public import ConsentryRecords
import Foundation

/// The officers' handling of data-subject requests: moving one along its workflow,
/// extending its deadline, carrying out an erasure. Each change is made under the request's
/// row lock, with its audit entry, in one transaction; an erasure request is announced to
/// modules once the requester's identity is verified, not when anyone files it.
///
/// With `fourEyes`, the officer who carries out an erasure must not be the one who verified
/// the requester's identity.
public struct RequestWorkflow: Sendable {
    let requests: any RequestRecords
    let journal: any PrivacyChangeJournal
    let eraser: any CustomerErasure
    let events: any EventSubscriptionRecords
    let policies: PolicyRegistry
    public let fourEyes: Bool

    public init(
        requests: any RequestRecords, journal: any PrivacyChangeJournal, eraser: any CustomerErasure, events: any EventSubscriptionRecords, policies: PolicyRegistry, fourEyes: Bool
    ) {
        self.requests = requests
        self.journal = journal
        self.eraser = eraser
        self.events = events
        self.policies = policies
        self.fourEyes = fourEyes
    }

    /// - Throws: `UseCaseError` `.notFound`.
    public func request(id: String) async throws -> DataSubjectRequest {
        guard let stored = try await requests.request(id: id) else { throw UseCaseError(.notFound, code: "not_found", "no request with this id") }
        return stored
    }

    /// - Throws: `UseCaseError` `.conflict` `invalid_transition` (or `erasure_not_done` to
    ///   complete an erasure not carried out), `.invalid` when a reason is missing.
    public func changeStatus(
        id: String, to next: DataSubjectRequest.Status, reason: String?, officer: String, requestID: String, now: Date = Date()
    ) async throws -> DataSubjectRequest {
        let current = try await request(id: id)
        if current.type == .erasure, next == .completed, current.status != .awaitingModules {
            throw UseCaseError(.conflict, code: "erasure_not_done", "carry the erasure out first: POST .../erasure")
        }
        let audit = entry(
            officer, .requestStatus, current, requestID, fields: ["from:\(current.status.rawValue)", "to:\(next.rawValue)"])
        return try await advance(current, audit: audit, requestID: requestID) { request in
            try request.move(to: next, reason: reason, at: now)
            request.handledBy = officer
            if next == .identityVerified { request.verifiedBy = officer }
        }
    }

    /// Extends the deadline as the request's jurisdiction allows, with the reason: GDPR one or
    /// two months (two at most in all); CCPA 45 days, once (`months` nil); LGPD not at all.
    public func extend(id: String, months: Int?, reason: String, officer: String, requestID: String) async throws -> DataSubjectRequest {
        let current = try await request(id: id)
        let audit = entry(officer, .requestExtended, current, requestID, fields: ["months:\(months.map(String.init) ?? "all")"])
        return try await advance(current, audit: audit, requestID: requestID) { request in
            try request.extend(byMonths: months, reason: reason)
            request.handledBy = officer
        }
    }

    /// Carries out an erasure request: legal holds, key destruction, purge, tombstone, and the
    /// event modules must acknowledge. The request then waits for them (or completes at once
    /// when no module was subscribed).
    /// - Throws: `UseCaseError` `.conflict` for another type of request or one not in
    ///   progress, `.forbidden` `four_eyes` for the officer who verified the identity.
    /// - Parameter actorKind: `.officer` through `/compliance`; `.operator` for `consentry erase --request`.
    public func carryOutErasure(
        id: String, officer: String, actorKind: AuditActor.Kind = .officer, requestID: String, now: Date = Date()
    ) async throws -> (DataSubjectRequest, ErasureTombstone) {
        let current = try await request(id: id)
        guard current.type == .erasure else { throw UseCaseError(.conflict, code: "not_an_erasure", "this is a \(current.type.rawValue) request") }
        guard current.status == .inProgress else {
            throw UseCaseError(.conflict, code: "not_in_progress", "verify the identity and move the request to in_progress first")
        }
        if fourEyes, current.verifiedBy == officer {
            throw UseCaseError(.forbidden, code: "four_eyes", "four-eyes is on: another officer than the one who verified the identity carries the erasure out")
        }
        let result = try await eraser.erase(
            customerID: current.customerID, requestID: current.id, actor: AuditActor(actorKind, officer), policy: policies.policy,
            now: now, correlationID: requestID)
        let notified = try await events.recipients(eventID: result.tombstone.eventID)
        let next: DataSubjectRequest.Status = notified.isEmpty ? .completed : .awaitingModules
        let audit = entry(officer, .requestStatus, current, requestID, fields: ["from:\(current.status.rawValue)", "to:\(next.rawValue)"])
        let updated = try await advance(current, audit: audit, requestID: requestID) { request in
            request.erasureEventID = result.tombstone.eventID
            request.handledBy = officer
            try request.move(to: next, reason: notified.isEmpty ? "erased; no module was subscribed to be told" : nil, at: now)
        }
        return (updated, result.tombstone)
    }

    private func entry(_ officer: String, _ action: AuditAction, _ request: DataSubjectRequest, _ requestID: String, fields: [String]) -> AuditEvent {
        AuditEvent(
            actor: AuditActor(.officer, officer), action: action, customerID: request.customerID, fields: ["request:\(request.id)"] + fields,
            outcome: "succeeded", policyVersion: policies.policy.version, requestID: requestID)
    }

    private func advance(
        _ current: DataSubjectRequest, audit: AuditEvent, requestID: String, _ change: @escaping @Sendable (inout DataSubjectRequest) throws -> Void
    ) async throws -> DataSubjectRequest {
        do {
            return try await journal.advance(requestID: current.id, expected: current.status, audit: [audit], correlationID: requestID) { request in
                try change(&request)
            }
        } catch let error as RequestChangeError {
            switch error {
            case .reasonRequired, .extensionTooLong, .noExtension: throw UseCaseError(.invalid, code: "validation_failed", error.description)
            case .transition, .closed: throw UseCaseError(.conflict, code: "invalid_transition", error.description)
            }
        } catch let error as StoreError where error.code == .staleRequest {
            throw UseCaseError(.conflict, code: "stale_request", error.message)
        }
    }
}
