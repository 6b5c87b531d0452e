import ConsentryCore
import ConsentryCrypto
import ConsentryHTTP
import ConsentryStore
import ConsentryTesting
import ConsentryUseCases
import Foundation
import ConsentryStorage
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
import ConsentryRecords

@Suite("Compliance: requests and erasure over HTTP")
struct ComplianceTests {
    static let json: HTTPFields = [.contentType: "application/json"]

    @Test("a customer's erasure request is verified, carried out, announced, acknowledged and completed; the customer is gone but for the legal hold")
    func erasureEndToEnd() async throws {
        let fixture = try await GuardedAPIFixture.make(customerCount: 30)
        let selfService = SelfServiceTests()
        let person = try #require(selfService.adults(fixture).first { $0.profile.contactMedium.contains { $0.mediumType == .postalAddress } })
        let token = try await selfService.token(subject: person.profile.loginSubject!)
        let receiver = EventReceiver()
        try await receiver.start()
        try await fixture.withServer { client in
            let (_, _) = try await EventDeliveryTests().subscribe(
                client, fixture, module: "billing-account-management", callback: receiver.callback, query: "eventType=CustomerDeleteEvent")
            let filed = try await client.execute(
                uri: "/self/v1/me/requests", method: .post, headers: [.authorization: "Bearer \(token)", .contentType: "application/json"],
                body: ByteBuffer(string: #"{"type":"erasure"}"#))
            #expect(filed.status == .created)
            let requestID = try #require(try filed.json()["id"]?.stringValue)
            let officer = fixture.headers("officer", purpose: nil, extra: Self.json)
            let base = "/compliance/v1/requests/\(requestID)"

            let early = try await client.execute(uri: "\(base)/erasure", method: .post, headers: officer)
            #expect(early.status == .conflict, "identity not verified yet")
            for status in ["identity_verified", "in_progress"] {
                let moved = try await client.execute(uri: "\(base)/status", method: .post, headers: officer, body: ByteBuffer(string: #"{"status":"\#(status)"}"#))
                #expect(moved.status == .ok, "\(moved.text)")
            }
            let erased = try await client.execute(uri: "\(base)/erasure", method: .post, headers: officer)
            #expect(erased.status == .ok, "\(erased.text)")
            let body = try erased.json()
            #expect(body["request"]?["status"] == .string("awaiting_modules"))
            #expect(body["erasure"]?["keyDestroyed"] == .bool(true))
            let kept = erased.text
            #expect(kept.contains(#""field":"engagedParty.familyName""#) && kept.contains(#""purposes":["accounting-and-tax"]"#))
            #expect(body["erasure"]?["modules"]?[0]?["module"] == .string("billing-account-management"))

            // The module is told, acknowledges, and that completes the request.
            let got = try await receiver.waitFor { $0.contains { (try? JSONValue.parse($0.body))?["eventType"] == .string("CustomerDeleteEvent") } }
            let event = try #require(got.compactMap { try? JSONValue.parse($0.body) }.first { $0["eventType"] == .string("CustomerDeleteEvent") })
            #expect(event["event"]?["customer"]?["id"] == .string(person.id))
            #expect(TMFContract.shared.eventViolations(String(decoding: event.bytes, as: UTF8.self)) == [])
            #expect(!String(decoding: got.last!.body, as: UTF8.self).contains(person.profile.emails[0]))
            let eventID = try #require(event["eventId"]?.stringValue)
            let ack = try await client.execute(
                uri: "/tmf-api/privacyManagement/v4/event/\(eventID)/acknowledgement", method: .post, headers: fixture.headers("billing-account-management", purpose: nil))
            #expect(ack.status == .created)
            let done = try await client.execute(uri: base, method: .get, headers: officer)
            #expect(try done.json()["status"] == .string("completed"))
            let report = try await client.execute(uri: "/compliance/v1/reports/erasure/\(person.id)?format=csv", method: .get, headers: officer)
            #expect(report.text.contains("billing-account-management,20"), "acknowledged, with the time: \(report.text)")
            #expect(report.text.contains("accounting-and-tax") && !report.text.contains(person.profile.emails[0]))

            // Gone: no sign-in, no search, no listing; the hold is readable for accounting only.
            let me = try await client.execute(uri: "/self/v1/me", method: .get, headers: [.authorization: "Bearer \(token)"])
            #expect(me.status == .unauthorized)
            let search = try await client.execute(
                uri: "\(GuardedAPIFixture.api)/customer?email=\(person.profile.emails[0])", method: .get, headers: fixture.headers("csr-toolbox", purpose: "customer-care"))
            #expect(try search.json() == .array([]))
            let care = try await client.execute(
                uri: "\(GuardedAPIFixture.api)/customer/\(person.id)", method: .get, headers: fixture.headers("csr-toolbox", purpose: "customer-care"))
            #expect(try care.json()["privacyDecision"]?["customerReason"] == .string("ERASED"))
            #expect(!care.text.contains(person.profile.emails[0]))
            let accounting = try await client.execute(
                uri: "\(GuardedAPIFixture.api)/customer/\(person.id)", method: .get, headers: fixture.headers("billing-account-management", purpose: "accounting-and-tax"))
            if case .individual(let p) = person.profile.engagedParty { #expect(accounting.text.contains(p.familyName)) }
            #expect(!accounting.text.contains(person.profile.emails[0]))
        }
        await receiver.stop()
        #expect(try await AuditVerifier(database: fixture.installation.database, keys: fixture.installation.keys).verify().isIntact)
    }

    @Test("officers list requests by status, type and overdue, extend with a reason; only officer keys reach /compliance")
    func officerRequests() async throws {
        let fixture = try await GuardedAPIFixture.make(customerCount: 4)
        let old = DataSubjectRequest(
            id: "old-request", customerID: fixture.customers[0].id, type: .access, receivedAt: Date(timeIntervalSinceNow: -40 * 86400), channel: "web", filedBy: .customer)
        let fresh = DataSubjectRequest(
            id: "fresh-request", customerID: fixture.customers[1].id, type: .rectification, receivedAt: Date(), channel: "web", filedBy: .customer)
        _ = try await fixture.services.requests.file(old)
        _ = try await fixture.services.requests.file(fresh)
        try await fixture.withServer { client in
            let officer = fixture.headers("officer", purpose: nil, extra: Self.json)
            let overdue = try await client.execute(uri: "/compliance/v1/requests?overdue=true", method: .get, headers: officer)
            #expect(try overdue.json()[0]?["id"] == .string("old-request") && overdue.headers[HTTPField.Name("X-Total-Count")!] == "1")
            let byType = try await client.execute(uri: "/compliance/v1/requests?type=rectification", method: .get, headers: officer)
            #expect(try byType.json()[0]?["id"] == .string("fresh-request"))
            let noReason = try await client.execute(
                uri: "/compliance/v1/requests/old-request/extension", method: .post, headers: officer, body: ByteBuffer(string: #"{"months":1,"reason":""}"#))
            #expect(noReason.status == .unprocessableContent)
            let extended = try await client.execute(
                uri: "/compliance/v1/requests/old-request/extension", method: .post, headers: officer,
                body: ByteBuffer(string: #"{"months":2,"reason":"data held in three legacy systems"}"#))
            #expect(extended.status == .ok)
            let extendedBody = try extended.json()
            #expect(extendedBody["overdue"] == .bool(false) && extendedBody["extendedByMonths"] == .int(2))
            let tooMuch = try await client.execute(
                uri: "/compliance/v1/requests/old-request/extension", method: .post, headers: officer, body: ByteBuffer(string: #"{"months":1,"reason":"more"}"#))
            #expect(tooMuch.status == .unprocessableContent)
            let reject = try await client.execute(
                uri: "/compliance/v1/requests/fresh-request/status", method: .post, headers: officer, body: ByteBuffer(string: #"{"status":"rejected"}"#))
            #expect(reject.status == .unprocessableContent, "rejecting needs a reason")
            let skip = try await client.execute(
                uri: "/compliance/v1/requests/fresh-request/status", method: .post, headers: officer, body: ByteBuffer(string: #"{"status":"completed"}"#))
            #expect(skip.status == .conflict, "received cannot jump to completed")
            // An agent files for a caller: verified on the call, recorded as the agent's.
            let agent = try await client.execute(
                uri: "/tmf-api/privacyManagement/v4/dataSubjectRequest", method: .post,
                headers: fixture.headers("csr-toolbox", purpose: "customer-care", extra: Self.json),
                body: ByteBuffer(string: #"{"customerId":"\#(fixture.customers[2].id)","type":"erasure","agentId":"agent-0042"}"#))
            #expect(agent.status == .created, "\(agent.text)")
            let agentBody = try agent.json()
            #expect(agentBody["status"] == .string("identity_verified") && agentBody["filedBy"] == .string("agent"))
            let noRight = try await client.execute(
                uri: "/tmf-api/privacyManagement/v4/dataSubjectRequest", method: .post,
                headers: fixture.headers("customer-loyalty-management", purpose: "loyalty", extra: Self.json),
                body: ByteBuffer(string: #"{"customerId":"\#(fixture.customers[3].id)","type":"access","agentId":"x"}"#))
            #expect(noRight.status == .forbidden, "only modules allowed recordConsent file for callers")
            let verified = try await client.execute(uri: "/compliance/v1/requests?status=identity_verified", method: .get, headers: officer)
            #expect(try verified.json()[0]?["handledBy"] == .string("agent-0042"))
            let byOfficer = try await client.execute(
                uri: "/compliance/v1/requests", method: .post, headers: officer,
                body: ByteBuffer(string: #"{"customerId":"\#(fixture.customers[3].id)","type":"access","channel":"letter"}"#))
            let officerBody = try byOfficer.json()
            #expect(byOfficer.status == .created && officerBody["filedBy"] == .string("officer"))
            let unknown = try await client.execute(
                uri: "/compliance/v1/requests", method: .post, headers: officer, body: ByteBuffer(string: #"{"customerId":"nobody","type":"access"}"#))
            #expect(unknown.status == .notFound)
            for principal in ["operator", "csr-toolbox"] {
                let refused = try await client.execute(uri: "/compliance/v1/requests", method: .get, headers: fixture.headers(principal, purpose: nil))
                #expect(refused.status == .forbidden)
            }
            let anonymous = try await client.execute(uri: "/compliance/v1/requests", method: .get)
            #expect(anonymous.status == .unauthorized)
        }
        let audited = try await fixture.installation.database.read { db in
            try db.fetchValue(Int.self, "SELECT COUNT(*) FROM audit_entry WHERE action = 'request.extended' AND actor_kind = 'officer' AND actor_id = 'dpo'")!
        }
        #expect(audited == 1)
    }

    @Test("an erasure request is announced once the identity is verified, not when filed; with four-eyes the verifier cannot carry it out (#11 finding 10)")
    func erasureAnnouncedAfterVerificationAndFourEyes() async throws {
        let installation = try await TestInstallation.make()
        let services = try await TestServices.make(installation, fourEyes: true)
        let customer = try await installation.store.create(SyntheticCustomers().draft(3))
        let (filed, _) = try await services.requestFiling.file(
            customerID: customer.id, type: .erasure, purpose: nil, fields: [], channel: "web", filedBy: .customer, filedByID: nil,
            identityVerified: false, actor: AuditActor(.customer, customer.id), requestID: "r1")
        func announced() async throws -> Int {
            try await installation.database.read { db in
                try db.fetchValue(Int.self, "SELECT COUNT(*) FROM event_outbox WHERE type = 'ErasureRequestCreateEvent' AND customer_id = ?", [customer.id])!
            }
        }
        #expect(try await announced() == 0, "anyone can file: modules are not told before the identity is checked")
        let verified = try await services.workflow.changeStatus(id: filed.id, to: .identityVerified, reason: nil, officer: "dpo-anna", requestID: "r2")
        #expect(verified.verifiedBy == "dpo-anna")
        #expect(try await announced() == 1)
        _ = try await services.workflow.changeStatus(id: filed.id, to: .inProgress, reason: nil, officer: "dpo-anna", requestID: "r3")
        await #expect(throws: UseCaseError.self) { _ = try await services.workflow.carryOutErasure(id: filed.id, officer: "dpo-anna", requestID: "r4") }
        #expect(try await installation.store.customer(id: customer.id) != nil, "nothing erased by the refused officer")
        let (done, _) = try await services.workflow.carryOutErasure(id: filed.id, officer: "dpo-ben", requestID: "r5")
        #expect(done.status == .completed && done.handledBy == "dpo-ben")
        #expect(try await installation.store.customer(id: customer.id) == nil)
        // A stale move (the request changed meanwhile) is a conflict, not a silent overwrite.
        await #expect(throws: UseCaseError.self) { _ = try await services.workflow.changeStatus(id: filed.id, to: .cancelled, reason: nil, officer: "dpo-anna", requestID: "r6") }
        let audited = try await installation.database.read { db in
            try db.fetchColumn(String.self, "SELECT fields FROM audit_entry WHERE action = 'request.status' ORDER BY seq")
        }
        #expect(audited.count == 3, "\(audited)")
    }
}
