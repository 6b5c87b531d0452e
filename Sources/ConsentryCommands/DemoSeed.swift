import ConsentryCore
import ConsentryStore
import Foundation
import ConsentryStorage
import ConsentryUseCases
import ConsentryRecords

/// Synthetic consent history for the demo: a deterministic mix over the fixture customers
/// (by externalId order), so every reason code can be seen from the first run.
enum DemoSeed {
    static func consents(database: AppDatabase) async throws -> Int {
        let ids = try await database.read { db in try db.fetchColumn(String.self, "SELECT id FROM customer ORDER BY external_id") }
        let start = Date(timeIntervalSinceNow: -400 * 86_400)
        var events: [ConsentEvent] = []
        for (index, id) in ids.enumerated() {
            let at = start.addingTimeInterval(Double(index) * 3_600)
            let channel = ConsentEvent.Channel.allCases[index % 6]
            if index % 2 == 0 {
                events.append(ConsentEvent(customerID: id, purpose: "direct-marketing", kind: .given, occurredAt: at, channel: channel, noticeVersion: "2026-03"))
            } else if index % 6 == 1 {
                events.append(ConsentEvent(customerID: id, purpose: "direct-marketing", kind: .given, occurredAt: at, channel: channel, noticeVersion: "2026-03"))
                events.append(ConsentEvent(customerID: id, purpose: "direct-marketing", kind: .withdrawn, occurredAt: at.addingTimeInterval(86_400 * 30), channel: .web))
            } else if index % 6 == 3 {
                events.append(ConsentEvent(customerID: id, purpose: "direct-marketing", kind: .refused, occurredAt: at, channel: .callCentre, expressedBy: .agent, actorID: "agent-0042"))
            }
            if index % 3 == 0 {
                events.append(ConsentEvent(customerID: id, purpose: "loyalty", kind: .given, occurredAt: at, channel: channel, noticeVersion: "2026-02"))
            }
            if index % 4 == 0 {
                // P1Y expiry in the policy: the oldest of these have lapsed by now.
                events.append(ConsentEvent(customerID: id, purpose: "customer-insight", kind: .given, occurredAt: at, channel: .app, noticeVersion: "2026-03"))
            }
            if index % 10 == 7 { events.append(ConsentEvent(customerID: id, purpose: "fraud-prevention", kind: .objection, occurredAt: at, channel: .email)) }
            if index % 25 == 11 { events.append(ConsentEvent(customerID: id, purpose: nil, kind: .restriction, occurredAt: at, channel: .web)) }
        }
        try await ConsentLedger(database: database).record(events)
        return events.count
    }
}

extension DemoSeed {
    /// Data-subject requests for the compliance examples, filed and handled as an officer
    /// would (audited, through the workflow): one overdue, one due soon, one completed on
    /// time, and one erasure carried out. The customers are fixed by `externalId`, none of
    /// them the README's example customer.
    static func requests(
        database: AppDatabase, journal: ChangeJournal, workflow: RequestWorkflow, policyVersion: String, now: Date = Date()
    ) async throws {
        let ids = try await database.read { db in
            Dictionary(uniqueKeysWithValues: try db.fetchAll("SELECT id, external_id FROM customer").map { row -> (String, String) in
                (row["external_id"], row["id"])
            })
        }
        let officer = "demo-dpo"
        func file(_ externalID: String, _ type: DataSubjectRequest.RequestType, daysAgo: Double, channel: String) async throws -> DataSubjectRequest {
            guard let customerID = ids[externalID] else { throw CommandFailure(message: "the demo fixtures lack \(externalID)", exitCode: CommandFailure.dataError) }
            let received = Date(timeIntervalSince1970: (now.timeIntervalSince1970 - daysAgo * 86_400).rounded(.down))
            let request = DataSubjectRequest(
                id: UUID().uuidString.lowercased(), customerID: customerID, type: type, receivedAt: received, channel: channel, filedBy: .customer)
            let audit = AuditEvent(
                actor: AuditActor(.customer, customerID), action: .requestFiled, customerID: customerID,
                fields: ["type:\(type.rawValue)", "filedBy:customer"], outcome: "succeeded", policyVersion: policyVersion, requestID: "demo-seed")
            return try await journal.file(request, audit: [audit], correlationID: "demo-seed").request
        }
        func move(_ request: DataSubjectRequest, through states: [DataSubjectRequest.Status]) async throws {
            for state in states {
                _ = try await workflow.changeStatus(id: request.id, to: state, reason: nil, officer: officer, requestID: "demo-seed", now: now)
            }
        }
        // Received 40 days ago, identity checked, never answered: overdue.
        try await move(try await file("LEG-0000239", .access, daysAgo: 40, channel: "letter"), through: [.identityVerified])
        // Received 26 days ago: due within the week.
        _ = try await file("LEG-0000235", .portability, daysAgo: 26, channel: "web")
        // Received 12 days ago and answered: completed on time.
        try await move(try await file("LEG-0000001", .rectification, daysAgo: 12, channel: "email"), through: [.identityVerified, .inProgress, .completed])
        // An erasure carried out: its report shows what was destroyed and what a legal hold kept.
        let erasure = try await file("LEG-0000240", .erasure, daysAgo: 5, channel: "web")
        try await move(erasure, through: [.identityVerified, .inProgress])
        _ = try await workflow.carryOutErasure(id: erasure.id, officer: officer, requestID: "demo-seed", now: now)
    }
}
