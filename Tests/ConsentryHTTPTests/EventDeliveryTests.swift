import ConsentryCore
import ConsentryCrypto
import ConsentryHTTP
import ConsentryStore
import ConsentryTesting
import Foundation
import ConsentryStorage
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Synchronization
import Testing
import ConsentryRecords

@Suite("Events to modules: outbox, hub, signed delivery, acknowledgements")
struct EventDeliveryTests {
    static let hub = "/tmf-api/privacyManagement/v4/hub"
    static let json: HTTPFields = [.contentType: "application/json"]

    func subscribe(_ client: some TestClientProtocol, _ fixture: GuardedAPIFixture, module: String, callback: String, query: String) async throws -> (id: String, secret: SecureBytes) {
        let response = try await client.execute(
            uri: Self.hub, method: .post, headers: fixture.headers(module, purpose: nil, extra: Self.json),
            body: ByteBuffer(string: #"{"callback":"\#(callback)","query":"\#(query)"}"#))
        #expect(response.status == .created, "\(response.status)")
        let body = try response.json()
        let secret = try #require(body["secret"]?.stringValue.flatMap { Data(base64Encoded: $0) })
        return (try #require(body["id"]?.stringValue), SecureBytes(copying: secret))
    }

    /// Polls the operator's view of one subscription's deliveries until `condition` holds.
    func waitForDeliveries(_ client: some TestClientProtocol, _ fixture: GuardedAPIFixture, subscription: String, _ condition: (JSONValue) -> Bool) async throws -> JSONValue {
        for _ in 0..<300 {
            let response = try await client.execute(
                uri: "/admin/v1/events/deliveries?subscription=\(subscription)", method: .get, headers: fixture.headers("operator", purpose: nil))
            let body = try response.json()
            if condition(body) { return body }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("deliveries never reached the expected state")
        return .null
    }

    static func int(_ value: JSONValue?) -> Int { if case .number(let text) = value { Int(text) ?? -1 } else { -1 } }

    @Test("an event reaches a receiver that was down once it is back, and one written while Consentry was down once it restarts; signed, acknowledged, visible to the operator")
    func deliveredAcrossRestarts() async throws {
        let fixture = try await GuardedAPIFixture.make(customerCount: 30)
        let selfService = SelfServiceTests()
        let person = selfService.adults(fixture)[0]
        let token = try await selfService.token(subject: person.profile.loginSubject!)
        let receiver = EventReceiver()
        try await receiver.start()
        let port = receiver.port
        await receiver.stop()  // the module's endpoint is down

        let (subscription, secret) = try await fixture.withServerReturning { client in
            let (subscription, secret) = try await subscribe(
                client, fixture, module: "customer-loyalty-management", callback: receiver.callback, query: "eventType=PartyPrivacyProfileAttributeValueChangeEvent&purpose=direct-marketing")
            let withdrawn = try await client.execute(
                uri: "/self/v1/me/consents/direct-marketing", method: .put,
                headers: [.authorization: "Bearer \(token)", .contentType: "application/json"], body: ByteBuffer(string: #"{"status":"withdrawn"}"#))
            #expect(withdrawn.status == .ok)

            // Down: attempts fail and are retried; the operator sees why.
            let failing = try await waitForDeliveries(client, fixture, subscription: subscription) { body in Self.int(body[0]?["attempts"]) >= 2 }
            #expect(failing[0]?["status"] == .string("pending"))
            #expect(failing[0]?["lastResult"] == .string("connection refused"))
            #expect(failing[0]?["nextAttemptAt"] != nil)

            // Back on the same port: the event arrives, signed over its exact bytes.
            try await receiver.start(port: port)
            let got = try await receiver.waitFor { !$0.isEmpty }
            let delivery = got[0]
            let signature = try #require(delivery.headers[HTTPField.Name(EventSignature.header)!])
            #expect(EventSignature.isValid(header: signature, body: delivery.body, secret: secret))
            var tampered = delivery.body
            tampered[tampered.count / 2] ^= 1
            #expect(!EventSignature.isValid(header: signature, body: tampered, secret: secret))
            #expect(!EventSignature.isValid(header: signature, body: delivery.body, secret: SecureBytes(copying: [UInt8](repeating: 7, count: 32))))
            #expect(Int(delivery.headers[HTTPField.Name(EventSignature.attemptHeader)!] ?? "") ?? 0 >= 3)
            let envelope = try JSONValue.parse(delivery.body)
            #expect(envelope["eventType"] == .string("PartyPrivacyProfileAttributeValueChangeEvent"))
            #expect(TMFContract.shared.eventViolations(String(decoding: envelope.bytes, as: UTF8.self)).isEmpty)
            let profile = envelope["event"]?["partyPrivacyProfile"]
            #expect(profile?["id"] == .string(person.id))
            #expect(profile?["partyPrivacyProfileCharacteristic"]?[0]?["privacyUsagePurpose"] == .string("direct-marketing"))
            #expect(profile?["partyPrivacyProfileCharacteristic"]?[0]?["value"] == .string("withdrawn"))
            #expect(envelope["correlationId"] != nil)
            let text = String(decoding: delivery.body, as: UTF8.self)
            for email in person.profile.emails { #expect(!text.contains(email), "no personal value in an event") }
            if case .individual(let p) = person.profile.engagedParty { #expect(!text.contains(p.familyName)) }

            let delivered = try await waitForDeliveries(client, fixture, subscription: subscription) { $0[0]?["status"] == .string("delivered") }
            #expect(delivered[0]?["deliveredAt"] != nil)

            // Acknowledgement: recorded once, audited; another module cannot acknowledge it.
            let eventID = try #require(envelope["eventId"]?.stringValue)
            let ack = try await client.execute(
                uri: "/tmf-api/privacyManagement/v4/event/\(eventID)/acknowledgement", method: .post, headers: fixture.headers("customer-loyalty-management", purpose: nil))
            #expect(ack.status == .created)
            let again = try await client.execute(
                uri: "/tmf-api/privacyManagement/v4/event/\(eventID)/acknowledgement", method: .post, headers: fixture.headers("customer-loyalty-management", purpose: nil))
            #expect(again.status == .ok)
            #expect(try again.json()["acknowledgedAt"] == (try ack.json()["acknowledgedAt"]))
            let foreign = try await client.execute(
                uri: "/tmf-api/privacyManagement/v4/event/\(eventID)/acknowledgement", method: .post, headers: fixture.headers("csr-toolbox", purpose: nil))
            #expect(foreign.status == .notFound)
            let acknowledged = try await waitForDeliveries(client, fixture, subscription: subscription) { $0[0]?["acknowledgedAt"] != nil }
            #expect(acknowledged[0]?["acknowledgedAt"] != nil)
            return (subscription, secret)
        }
        let audited = try await fixture.installation.database.read { db in
            try db.fetchValue(Int.self, "SELECT COUNT(*) FROM audit_entry WHERE action = 'event.acknowledged' AND actor_id = 'customer-loyalty-management'")!
        }
        #expect(audited == 1)

        // Consentry is down; a change is committed (another process, say); on restart it is delivered.
        try await fixture.services.journal.record(
            ConsentEvent(customerID: person.id, purpose: "direct-marketing", kind: .given, channel: .retail),
            audit: [AuditEvent(actor: AuditActor(.system, "test"), action: AuditAction(rawValue: "consent.given"), customerID: person.id, outcome: "succeeded")], correlationID: nil)
        let restarted = try await TestServices.make(fixture.installation)
        try await buildApplication(services: restarted, settings: ServerSettings(port: 0)).test(.live) { _ in
            let got = try await receiver.waitFor { deliveries in
                deliveries.contains { (try? JSONValue.parse($0.body))?["event"]?["partyPrivacyProfile"]?["partyPrivacyProfileCharacteristic"]?[0]?["value"] == .string("given") }
            }
            let last = try #require(got.last)
            #expect(EventSignature.isValid(header: last.headers[HTTPField.Name(EventSignature.header)!] ?? "", body: last.body, secret: secret))
        }
        _ = subscription
        await receiver.stop()
    }

    @Test("a receiver failing past the limit is dead-lettered; the operator requeues it and it is delivered")
    func deadLetterAndRequeue() async throws {
        var delivery = TestServices.fastDelivery
        delivery.schedule.maxAttempts = 3
        let fixture = try await GuardedAPIFixture.make(customerCount: 4, delivery: delivery)
        let receiver = EventReceiver()
        receiver.answer.withLock { $0 = .internalServerError }
        try await receiver.start()
        try await fixture.withServer { client in
            let (subscription, _) = try await subscribe(client, fixture, module: "csr-toolbox", callback: receiver.callback, query: "")
            try await fixture.services.journal.record(
                ConsentEvent(customerID: fixture.customers[0].id, purpose: nil, kind: .restriction, channel: .web),
                audit: [AuditEvent(actor: AuditActor(.customer, fixture.customers[0].id), action: AuditAction(rawValue: "restriction.requested"), customerID: fixture.customers[0].id, outcome: "succeeded")],
                correlationID: nil)
            let dead = try await waitForDeliveries(client, fixture, subscription: subscription) { $0[0]?["status"] == .string("dead") }
            #expect(Self.int(dead[0]?["attempts"]) == 3)
            #expect(dead[0]?["lastResult"] == .string("HTTP 500"))
            #expect(receiver.deliveries.count == 3)
            let health = try await client.execute(uri: "/admin/v1/events/subscriptions", method: .get, headers: fixture.headers("operator", purpose: nil))
            #expect(Self.int(try health.json()[0]?["dead"]) == 1)

            receiver.answer.withLock { $0 = .ok }
            let requeue = try await client.execute(
                uri: "/admin/v1/events/deliveries/requeue?subscription=\(subscription)", method: .post, headers: fixture.headers("operator", purpose: nil))
            #expect(try requeue.json()["requeued"] == .int(1))
            _ = try await waitForDeliveries(client, fixture, subscription: subscription) { $0[0]?["status"] == .string("delivered") }
            #expect(receiver.deliveries.count == 4)
            let envelope = try JSONValue.parse(receiver.deliveries[3].body)
            #expect(envelope["eventType"] == .string("PartyPrivacyProfileStatusChangeEvent"))
            #expect(envelope["event"]?["partyPrivacyProfile"]?["status"] == .string("restricted"))
            #expect(TMFContract.shared.eventViolations(String(decoding: envelope.bytes, as: UTF8.self)).isEmpty)
            // Modules cannot see the operator's view.
            let asModule = try await client.execute(uri: "/admin/v1/events/deliveries", method: .get, headers: fixture.headers("csr-toolbox", purpose: nil))
            #expect(asModule.status == .forbidden)
        }
        await receiver.stop()
    }

    @Test("a module sees and ends only its own subscriptions, and may listen only to purposes it holds")
    func subscriptionsAreOwnedAndScoped() async throws {
        let fixture = try await GuardedAPIFixture.make(customerCount: 2)
        try await fixture.withServer { client in
            let (mine, _) = try await subscribe(client, fixture, module: "csr-toolbox", callback: "http://127.0.0.1:9/events", query: "purpose=customer-care")
            for method in [HTTPRequest.Method.get, .delete] {
                let other = try await client.execute(uri: "\(Self.hub)/\(mine)", method: method, headers: fixture.headers("customer-loyalty-management", purpose: nil))
                #expect(other.status == .notFound, "\(method) of another module's subscription")
            }
            let list = try await client.execute(uri: Self.hub, method: .get, headers: fixture.headers("customer-loyalty-management", purpose: nil))
            #expect(try list.json() == .array([]))
            let own = try await client.execute(uri: "\(Self.hub)/\(mine)", method: .get, headers: fixture.headers("csr-toolbox", purpose: nil))
            let ownBody = try own.json()
            #expect(own.status == .ok && ownBody["secret"] == nil, "the secret is shown once, at creation")

            let cases: [(String, HTTPResponse.Status, String)] = [
                (#"{"callback":"http://127.0.0.1:9/e","query":"purpose=direct-marketing"}"#, .forbidden, "PURPOSE_NOT_ALLOWED_FOR_MODULE"),
                (#"{"callback":"http://127.0.0.1:9/e","query":"eventType=Nope"}"#, .unprocessableContent, "invalid_query"),
                (#"{"callback":"http://127.0.0.1:9/e","query":"colour=red"}"#, .unprocessableContent, "invalid_query"),
                (#"{"callback":"http://modules.internal/e"}"#, .unprocessableContent, "invalid_callback"),
                (#"{"callback":"https://user:pw@modules.internal/e"}"#, .unprocessableContent, "invalid_callback"),
                (#"{"callback":"ftp://modules.internal/e"}"#, .unprocessableContent, "invalid_callback"),
                (#"{"callback":"/relative"}"#, .unprocessableContent, "invalid_callback"),
                (#"{"callback":"https://modules.internal/e","extra":1}"#, .badRequest, "malformed_body"),
            ]
            for (body, status, code) in cases {
                let response = try await client.execute(uri: Self.hub, method: .post, headers: fixture.headers("csr-toolbox", purpose: nil, extra: Self.json), body: ByteBuffer(string: body))
                #expect(response.status == status, "\(body)")
                let problem = try response.problem()
                #expect(problem.reason == code || problem.issues?.first?.code == code || problem.code == code, "\(body): \(response.text)")
            }
            let deleted = try await client.execute(uri: "\(Self.hub)/\(mine)", method: .delete, headers: fixture.headers("csr-toolbox", purpose: nil))
            #expect(deleted.status == .noContent)
            let gone = try await client.execute(uri: "\(Self.hub)/\(mine)", method: .get, headers: fixture.headers("csr-toolbox", purpose: nil))
            #expect(gone.status == .notFound)
        }
        let denials = try await fixture.installation.database.read { db in
            try db.fetchValue(Int.self, "SELECT COUNT(*) FROM audit_entry WHERE action = 'access.denied' AND fields = 'operation:subscribe'")!
        }
        #expect(denials == 1)
    }
}

extension GuardedAPIFixture {
    /// Like `withServer`, returning what `body` returns.
    func withServerReturning<T: Sendable>(_ body: @Sendable @escaping (any TestClientProtocol) async throws -> T) async throws -> T {
        let result = Mutex<T?>(nil)
        try await withServer { client in
            let value = try await body(client)
            result.withLock { $0 = value }
        }
        return try #require(result.withLock { $0 })
    }
}
