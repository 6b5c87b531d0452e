import ConsentryCore
import ConsentryStore
import ConsentryTesting
import Foundation
import Testing

@Suite("Data-subject request workflow and deadlines")
struct RequestWorkflowTests {
    static let received = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00:00Z
    static let day: TimeInterval = 86400

    func request(_ type: DataSubjectRequest.RequestType, customer: String = "c1", at date: Date = received) -> DataSubjectRequest {
        DataSubjectRequest(id: UUID().uuidString.lowercased(), customerID: customer, type: type, receivedAt: date, channel: "web", filedBy: .customer)
    }

    @Test("overdue is decided by the clock given: not on the due date, the day after, never once closed")
    func overdue() async throws {
        let installation = try await TestInstallation.make()
        let store = DataSubjectRequestStore(database: installation.database)
        let access = request(.access)
        #expect(access.dueAt == Date(timeIntervalSince1970: 1_769_904_000), "one calendar month: 2026-02-01")
        var erasure = request(.erasure, customer: "c2", at: Self.received + 10 * Self.day)
        _ = try await store.file(access)
        _ = try await store.file(erasure)
        let onDueDate = access.dueAt - 1
        let dayAfter = access.dueAt + Self.day
        #expect(!access.isOverdue(at: onDueDate) && access.isOverdue(at: dayAfter))
        #expect(try await store.list(overdueAt: onDueDate).total == 0)
        #expect(try await store.list(overdueAt: dayAfter).page.map(\.id) == [access.id])
        #expect(try await store.list(overdueAt: erasure.dueAt + Self.day).total == 2)
        #expect(try await store.list(type: .erasure).page.map(\.id) == [erasure.id])
        #expect(try await store.list(status: .received).total == 2)

        // Closed requests are never overdue.
        try erasure.move(to: .cancelled, reason: "the customer withdrew it", at: Self.received + 11 * Self.day)
        try await store.save(erasure)
        #expect(try await store.list(overdueAt: erasure.dueAt + 100 * Self.day).page.map(\.id) == [access.id])
        #expect(try await store.request(id: erasure.id)?.closingReason == "the customer withdrew it")
    }

    @Test("an extension needs a reason, adds up to two months at most, and moves the deadline")
    func extensions() async throws {
        var access = request(.access)
        #expect(throws: RequestChangeError.reasonRequired) { try access.extend(byMonths: 1, reason: "  ") }
        #expect(throws: RequestChangeError.extensionTooLong(alreadyExtended: 0, allowed: ISODuration("P2M")!)) { try access.extend(byMonths: 3, reason: "complex") }
        try access.extend(byMonths: 1, reason: "several systems to search")
        #expect(access.dueAt == Date(timeIntervalSince1970: 1_772_323_200), "2026-03-01")
        try access.extend(byMonths: 1, reason: "still several systems")
        #expect(access.dueAt == Date(timeIntervalSince1970: 1_775_001_600), "2026-04-01")
        #expect(throws: RequestChangeError.extensionTooLong(alreadyExtended: 2, allowed: ISODuration("P2M")!)) { try access.extend(byMonths: 1, reason: "more") }
        #expect(access.extensionReason == "still several systems")
    }

    @Test("the workflow goes forward only; rejecting needs a reason; a closed request stays closed")
    func workflow() throws {
        var access = request(.access)
        #expect(throws: RequestChangeError.transition(from: .received, to: .completed)) { try access.move(to: .completed, reason: nil, at: Self.received) }
        try access.move(to: .identityVerified, reason: nil, at: Self.received)
        #expect(throws: RequestChangeError.reasonRequired) { try access.move(to: .rejected, reason: nil, at: Self.received) }
        try access.move(to: .inProgress, reason: nil, at: Self.received)
        try access.move(to: .completed, reason: nil, at: Self.received + Self.day)
        #expect(access.closedAt == Self.received + Self.day)
        #expect(throws: RequestChangeError.transition(from: .completed, to: .inProgress)) { try access.move(to: .inProgress, reason: nil, at: Self.received) }
        #expect(throws: RequestChangeError.closed(.completed)) { try access.extend(byMonths: 1, reason: "late") }
        var erasure = request(.erasure)
        try erasure.move(to: .identityVerified, reason: nil, at: Self.received)
        try erasure.move(to: .inProgress, reason: nil, at: Self.received)
        try erasure.move(to: .awaitingModules, reason: nil, at: Self.received)
        #expect(throws: RequestChangeError.reasonRequired) { try erasure.move(to: .completed, reason: nil, at: Self.received) }
        try erasure.move(to: .completed, reason: "billing confirmed by phone", at: Self.received)
    }
}
