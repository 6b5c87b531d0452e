import ConsentryCore
import ConsentryPolicy
import ConsentryRecords
import ConsentryUseCases
import Foundation
import Synchronization
import Testing

/// The use cases over the records contract in memory: the rules they enforce, with no
/// database, no HTTP and no crypto. The same use cases run over both engines in the
/// store and HTTP suites.
@Suite("Use cases over in-memory records")
struct UseCaseTests {
    static let policies: PolicyRegistry = {
        var url = URL(fileURLWithPath: #filePath)
        while !FileManager.default.fileExists(atPath: url.appendingPathComponent("Policies/purposes.yaml").path) { url.deleteLastPathComponent() }
        return try! PolicyRegistry(directory: url.appendingPathComponent("Policies").path)
    }()

    func customer(id: String = "c-1", born: String, guardians: [String] = []) -> Customer {
        Customer(
            id: id, externalId: nil, status: .active, version: 1, createdAt: Date(), updatedAt: Date(),
            profile: CustomerProfile(
                engagedParty: .individual(Individual(givenName: "Ada", familyName: "Test", birthDate: born)),
                relatedParty: guardians.map { RelatedParty(id: $0, role: "guardian") }))
    }

    func birthDate(yearsAgo years: Int) -> String {
        let date = Calendar(identifier: .gregorian).date(byAdding: .year, value: -years, to: Date())!
        return String(ISO8601DateFormatter().string(from: date).prefix(10))
    }

    // MARK: Consent

    @Test("a minor cannot give consent alone; nothing is recorded; withdrawing needs no guardian")
    func minorNeedsGuardian() async throws {
        let records = InMemoryRecords()
        let change = ConsentChange(policies: Self.policies, receipts: records, journal: records)
        let minor = customer(born: birthDate(yearsAgo: 14), guardians: ["g-1"])
        await #expect(throws: UseCaseError.self) {
            try await change.record(
                customer: minor, purposeID: "loyalty", status: .given, channel: .web, expressedBy: .customer, actorID: nil,
                actor: AuditActor(.customer, minor.id), requestID: "r1")
        }
        #expect(records.state.withLock { $0.consentEvents.isEmpty && $0.audit.isEmpty })

        _ = try await change.record(
            customer: minor, purposeID: "loyalty", status: .withdrawn, channel: .web, expressedBy: .customer, actorID: nil,
            actor: AuditActor(.customer, minor.id), requestID: "r2")
        #expect(records.state.withLock { $0.consentEvents.map(\.kind) } == [.withdrawn])
    }

    @Test("a linked guardian gives a minor's consent: one event, one receipt, one audit entry naming the guardian")
    func guardianConsents() async throws {
        let records = InMemoryRecords()
        let change = ConsentChange(policies: Self.policies, receipts: records, journal: records)
        let minor = customer(born: birthDate(yearsAgo: 12), guardians: ["g-1"])
        let unlinked = try? await change.record(
            customer: minor, purposeID: "loyalty", status: .given, channel: .web, expressedBy: .guardian, guardianID: "g-2", actorID: "g-2",
            actor: AuditActor(.customer, "g-2"), requestID: "r1")
        #expect(unlinked == nil)
        let recorded = try await change.record(
            customer: minor, purposeID: "loyalty", status: .given, channel: .web, expressedBy: .guardian, guardianID: "g-1", actorID: "g-1",
            actor: AuditActor(.customer, "g-1"), requestID: "r2")
        let state = records.state.withLock { $0 }
        #expect(state.consentEvents.count == 1)
        #expect(state.consentEvents.first?.expressedBy == .guardian && state.consentEvents.first?.actorID == "g-1")
        #expect(state.receipts.map(\.id) == [recorded.receiptID])
        #expect(state.audit.count == 1 && state.audit[0].fields.contains("guardian:g-1"))
    }

    @Test("consent to a purpose that rests on contract is refused as not applicable")
    func consentNotApplicable() async throws {
        let records = InMemoryRecords()
        let change = ConsentChange(policies: Self.policies, receipts: records, journal: records)
        let adult = customer(born: birthDate(yearsAgo: 40))
        do {
            _ = try await change.record(
                customer: adult, purposeID: "billing", status: .given, channel: .web, expressedBy: .customer, actorID: nil,
                actor: AuditActor(.customer, adult.id), requestID: "r1")
            Issue.record("billing rests on contract")
        } catch let error as UseCaseError {
            #expect(error.kind == .conflict && error.code == "consent_not_applicable")
        }
    }

    // MARK: Requests

    func filedErasure(_ records: InMemoryRecords) async throws -> DataSubjectRequest {
        let request = DataSubjectRequest(id: "q-1", customerID: "c-1", type: .erasure, receivedAt: Date(), channel: "web", filedBy: .customer)
        return try await records.file(request, audit: [], correlationID: nil).request
    }

    @Test("an erasure is carried out only in progress, and with four-eyes not by the officer who verified the identity")
    func erasureWorkflow() async throws {
        let records = InMemoryRecords()
        let workflow = RequestWorkflow(requests: records, journal: records, eraser: records, events: records, policies: Self.policies, fourEyes: true)
        let request = try await filedErasure(records)

        await #expect(throws: UseCaseError.self) { try await workflow.carryOutErasure(id: request.id, officer: "anna", requestID: "r1") }
        await #expect(throws: UseCaseError.self) { try await workflow.changeStatus(id: request.id, to: .completed, reason: nil, officer: "anna", requestID: "r2") }
        _ = try await workflow.changeStatus(id: request.id, to: .identityVerified, reason: nil, officer: "anna", requestID: "r3")
        _ = try await workflow.changeStatus(id: request.id, to: .inProgress, reason: nil, officer: "anna", requestID: "r4")
        do {
            _ = try await workflow.carryOutErasure(id: request.id, officer: "anna", requestID: "r5")
            Issue.record("four-eyes lets the verifier erase")
        } catch let error as UseCaseError {
            #expect(error.kind == .forbidden && error.code == "four_eyes")
        }
        #expect(records.state.withLock { $0.erased.isEmpty })

        let (done, tombstone) = try await workflow.carryOutErasure(id: request.id, officer: "ben", requestID: "r6")
        #expect(done.status == .completed && done.closingReason == "erased; no module was subscribed to be told")
        #expect(done.erasureEventID == tombstone.eventID && done.handledBy == "ben" && done.verifiedBy == "anna")
        #expect(records.state.withLock { $0.erased } == ["c-1"])
        // Every move is audited as the officer's.
        #expect(records.state.withLock { $0.audit.map(\.actor) } == [AuditActor(.officer, "anna"), AuditActor(.officer, "anna"), AuditActor(.officer, "ben")])
    }

    @Test("an erasure that modules were told of waits for their acknowledgements")
    func erasureAwaitsModules() async throws {
        let records = InMemoryRecords()
        records.state.withLock { $0.recipientsOfErasures = ["billing-account-management"] }
        let workflow = RequestWorkflow(requests: records, journal: records, eraser: records, events: records, policies: Self.policies, fourEyes: false)
        let request = try await filedErasure(records)
        for status in [DataSubjectRequest.Status.identityVerified, .inProgress] {
            _ = try await workflow.changeStatus(id: request.id, to: status, reason: nil, officer: "anna", requestID: "r")
        }
        let (waiting, _) = try await workflow.carryOutErasure(id: request.id, officer: "anna", requestID: "r")
        #expect(waiting.status == .awaitingModules && waiting.closedAt == nil)
    }

    @Test("deadline extensions add up to two months at most, each with its reason")
    func extensions() async throws {
        let records = InMemoryRecords()
        let workflow = RequestWorkflow(requests: records, journal: records, eraser: records, events: records, policies: Self.policies, fourEyes: false)
        let request = try await filedErasure(records)
        let once = try await workflow.extend(id: request.id, months: 1, reason: "complex", officer: "anna", requestID: "r1")
        #expect(once.extendedByMonths == 1 && once.dueAt > request.dueAt)
        await #expect(throws: UseCaseError.self) { try await workflow.extend(id: request.id, months: 2, reason: "more", officer: "anna", requestID: "r2") }
        #expect(try await records.request(id: request.id)?.extendedByMonths == 1)
    }

    // MARK: Subscriptions

    @Test("a module holds at most its quota of subscriptions, and ends only its own")
    func subscriptionQuota() async throws {
        let records = InMemoryRecords()
        let subscriptions = EventSubscriptions(hub: records, requests: records, audit: records, policies: Self.policies, keys: records, maxPerModule: 2)
        let module = try #require(Self.policies.policy.modules["customer-loyalty-management"])
        for _ in 0..<2 {
            _ = try await subscriptions.subscribe(module: module, callback: "https://events.example/hook", query: "eventType=ConsentChangeEvent", requestID: "r")
        }
        await #expect(throws: UseCaseError.self) {
            try await subscriptions.subscribe(module: module, callback: "https://events.example/hook", query: "eventType=ConsentChangeEvent", requestID: "r")
        }
        #expect(try await records.subscriptions(moduleID: module.id).count == 2)
    }
}
