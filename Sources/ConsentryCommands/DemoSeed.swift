import ConsentryCore
import ConsentryStore
import Foundation
import ConsentryStorage

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
