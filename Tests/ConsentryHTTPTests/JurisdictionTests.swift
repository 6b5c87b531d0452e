import ConsentryCore
import ConsentryHTTP
import ConsentryPolicy
import ConsentryRecords
import ConsentryStore
import ConsentryTesting
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import JWTKit
import NIOCore
import Testing

/// Customers under four laws, through a real server: each right filed with its deadline and
/// extension per jurisdiction; Global Privacy Control honoured where the law says, and nowhere
/// else; opt-outs by the customer and by an agent; the breach register.
@Suite("Jurisdictions, opt-outs and breaches over HTTP", .serialized)
struct JurisdictionTests {
    static let api = GuardedAPIFixture.api

    /// A signed-in adult living at `country` (and `state`), with a postal address saying so.
    static func resident(_ fixture: GuardedAPIFixture, _ country: String, state: String? = nil, language: String = "en", tag: String) async throws -> Customer {
        let profile = CustomerProfile(
            engagedParty: .individual(Individual(givenName: "Test", familyName: "Resident-\(tag)", birthDate: "1980-05-05", preferredLanguage: language)),
            contactMedium: [
                ContactMedium(mediumType: .email, preferred: true, characteristic: MediumCharacteristic(emailAddress: "resident-\(tag)@example.org")),
                ContactMedium(
                    mediumType: .postalAddress, preferred: true,
                    characteristic: MediumCharacteristic(street1: "1 Test Street", city: "Testville", postCode: "12345", stateOrProvince: state, country: country)),
            ],
            loginSubject: "resident-\(tag)")
        return try await fixture.installation.store.create(CustomerDraft(profile: profile))
    }

    static func token(_ customer: Customer) async throws -> String {
        let minter = try await CustomerTokenVerifier.make(TestServices.identity)
        return try await minter.mint(subject: customer.profile.loginSubject!, lifetime: 600, now: Date())
    }

    static func payload(_ jws: String) throws -> JSONValue {
        var base64 = String(jws.split(separator: ".")[1]).replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return try JSONValue.parse(Array(Data(base64Encoded: base64)!))
    }

    /// Every request type each jurisdiction grants, with its deadline: filed by the customer,
    /// due when the law says, extended as the law allows; the types it does not grant refused.
    @Test("each right and its deadline, per jurisdiction: GDPR, UK GDPR, CCPA/CPRA, LGPD", arguments: [
        ("DE", nil as String?, "eu-gdpr", "P1M", "P2M" as String?),
        ("GB", nil, "uk-gdpr", "P1M", "P2M"),
        ("US", "CA", "us-ca-cpra", "P45D", "P45D"),
        ("BR", nil, "br-lgpd", "P15D", nil),
    ])
    func rightsAndDeadlines(country: String, state: String?, jurisdiction: String, deadline: String, extensionLimit: String?) async throws {
        let fixture = try await GuardedAPIFixture.make(customerCount: 0)
        let customer = try await Self.resident(fixture, country, state: state, tag: "rights-\(country)")
        let token = try await Self.token(customer)
        let law = try #require(fixture.services.policies.policy.jurisdictions[jurisdiction])
        let officer = fixture.headers("officer", purpose: nil, extra: [.contentType: "application/json"])
        try await fixture.withServer { client in
            for type in DataSubjectRequest.RequestType.allCases {
                let purpose = type == .humanReview ? #","purpose":"credit-assessment""# : ""
                let filed = try await client.execute(
                    uri: "/self/v1/me/requests", method: .post, headers: [.authorization: "Bearer \(token)", .contentType: "application/json"],
                    body: ByteBuffer(string: #"{"type":"\#(type.rawValue)"\#(purpose)}"#))
                guard let rule = law.rights[type] else {
                    #expect(filed.status == .conflict, "\(jurisdiction) does not grant \(type.rawValue): \(filed.text)")
                    #expect(try filed.json()["code"] == .string("right_not_granted"))
                    continue
                }
                #expect(filed.status == .created, "\(jurisdiction) \(type.rawValue): \(filed.text)")
                let body = try filed.json()
                #expect(body["jurisdiction"] == .string(jurisdiction))
                let received = try #require(ISODate.parseDateOrDateTime(body["receivedAt"]?.stringValue ?? ""))
                let due = try #require(ISODate.parseDateOrDateTime(body["dueAt"]?.stringValue ?? ""))
                #expect(rule.period.description == deadline)
                #expect(due == ISODuration(deadline)!.added(to: received), "\(jurisdiction) \(type.rawValue) due \(body["dueAt"] ?? .null)")
                // The officer extends as the law allows, and no further.
                let base = "/compliance/v1/requests/\(body["id"]!.stringValue!)/extension"
                switch extensionLimit {
                case "P2M":
                    let once = try await client.execute(uri: base, method: .post, headers: officer, body: ByteBuffer(string: #"{"months":2,"reason":"several systems"}"#))
                    #expect(once.status == .ok, "\(once.text)")
                    #expect(ISODate.parseDateOrDateTime(try once.json()["dueAt"]?.stringValue ?? "") == ISODuration("P3M")!.added(to: received))
                    let more = try await client.execute(uri: base, method: .post, headers: officer, body: ByteBuffer(string: #"{"months":1,"reason":"again"}"#))
                    #expect(more.status == .unprocessableContent, "\(more.text)")
                case "P45D":
                    let inMonths = try await client.execute(uri: base, method: .post, headers: officer, body: ByteBuffer(string: #"{"months":1,"reason":"complex"}"#))
                    #expect(inMonths.status == .unprocessableContent, "a CCPA extension is 45 days, not months: \(inMonths.text)")
                    let once = try await client.execute(uri: base, method: .post, headers: officer, body: ByteBuffer(string: #"{"reason":"complex"}"#))
                    #expect(once.status == .ok, "\(once.text)")
                    let extended = try once.json()
                    #expect(ISODate.parseDateOrDateTime(extended["dueAt"]?.stringValue ?? "") == ISODuration("P90D")!.added(to: received))
                    #expect(extended["extendedBy"] == .string("P45D"))
                    let twice = try await client.execute(uri: base, method: .post, headers: officer, body: ByteBuffer(string: #"{"reason":"again"}"#))
                    #expect(twice.status == .unprocessableContent)
                default:
                    let none = try await client.execute(uri: base, method: .post, headers: officer, body: ByteBuffer(string: #"{"reason":"complex"}"#))
                    #expect(none.status == .unprocessableContent, "LGPD deadlines are not extended: \(none.text)")
                    #expect(none.text.contains("cannot be extended"))
                }
            }
            // Human review is of an automated decision only.
            let notAutomated = try await client.execute(
                uri: "/self/v1/me/requests", method: .post, headers: [.authorization: "Bearer \(token)", .contentType: "application/json"],
                body: ByteBuffer(string: #"{"type":"human_review","purpose":"billing"}"#))
            #expect(notAutomated.status == .unprocessableContent && notAutomated.text.contains("not_automated"), "\(notAutomated.text)")
        }
    }

    @Test("GPC from a Californian: opted out of sale and sharing, with receipt, event and audit; a GDPR customer's signal changes nothing")
    func globalPrivacyControl() async throws {
        let fixture = try await GuardedAPIFixture.make(customerCount: 0)
        let californian = try await Self.resident(fixture, "US", state: "California", tag: "gpc-ca")
        let german = try await Self.resident(fixture, "DE", language: "de", tag: "gpc-de")
        let insight = try await fixture.services.apiKeys.create(for: Principal(kind: .module, id: "customer-insight-management")).token
        let controller = fixture.services.policies.policy.controller
        try await fixture.withServer { client in
            @Sendable func partnerRead(_ customer: Customer) async throws -> JSONValue {
                let read = try await client.execute(
                    uri: "\(Self.api)/customer/\(customer.id)", method: .get,
                    headers: [.authorization: "Bearer \(insight)", HTTPField.Name("X-Purpose")!: "partner-advertising"])
                #expect(read.status == .ok, "\(read.text)")
                return try read.json()
            }
            // Before: the Californian is in partner advertising (CPRA: until they opt out); the German is not (no consent).
            #expect(String(decoding: try await partnerRead(californian).bytes, as: UTF8.self).contains("resident-gpc-ca@") == false, "masked, never plain")
            #expect(try await partnerRead(californian)["privacyDecision"]?["customerReason"] == nil)
            #expect(try await partnerRead(german)["privacyDecision"]?["customerReason"]?.stringValue == "NO_CONSENT")

            let caToken = try await Self.token(californian)
            let signalled = try await client.execute(
                uri: "/self/v1/me/consents", method: .get, headers: [.authorization: "Bearer \(caToken)", HTTPField.Name("Sec-GPC")!: "1"])
            #expect(signalled.status == .ok)
            #expect(signalled.headers[HTTPField.Name("Consentry-GPC-Applied")!] == "sale-sharing")
            let partner = try #require(try signalled.json()["purposes"]?.arrayValue?.first { $0["purpose"] == .string("partner-advertising") })
            #expect(partner["status"] == .string("opted_out") && partner["optOut"] == .string("sale-sharing"))

            // The module's very next read is stopped, with the reason.
            #expect(try await partnerRead(californian)["privacyDecision"]?["customerReason"]?.stringValue == "OPTED_OUT_OF_SALE_OR_SHARING")

            // The opt-out is a consent event with channel gpc, a signed receipt and an event for modules.
            let history = try await fixture.services.consents.history(customerID: californian.id)
            #expect(history.map(\.kind) == [.optOut] && history.first?.channel == .gpc && history.first?.purpose == "sale-sharing")
            let receipts = try await fixture.services.consents.receipts(customerID: californian.id)
            let receipt = try Self.payload(try #require(receipts.first?.jws))
            #expect(receipt["consentStatus"] == .string("opted_out") && receipt["purposeId"] == .string("sale-sharing"))
            #expect(receipt["jurisdiction"] == .string("us-ca-cpra") && receipt["collectionMethod"] == .string("gpc"))
            #expect(receipt["iso27560"]?["event"]?["method"] == .string("gpc") && receipt["iso27560"]?["event"]?["state"] == .string("dpv:ConsentWithdrawn"))
            #expect(receipt["iso27560"]?["processing"]?.arrayValue?.first?["purposeId"] == .string("partner-advertising"))
            #expect(receipt["iso27560"]?["processing"]?.arrayValue?.first?["law"]?.stringValue?.contains("CPRA") == true)
            // The controller, its policy URL and DPO come from Policies/controller.yaml.
            #expect(receipt["piiControllers"]?.arrayValue?.first?["piiController"] == .string(controller.name))
            #expect(receipt["policyUrl"] == .string(controller.policyURL) && receipt["iso27560"]?["dataProtectionOfficer"]?["email"] == .string(controller.dpo.email))
            let jwks = try await client.execute(uri: "/self/v1/receipts/jwks", method: .get).text
            let verifier = JWTKeyCollection()
            try await verifier.add(jwksJSON: jwks)
            _ = try await verifier.verify(receipts[0].jws, as: ConsentReceipt.self)
            let events = try await EventOutbox(database: fixture.services.database).events(customerID: californian.id)
            #expect(events.map(\.type) == ["OptOutChangeEvent"] && events.first?.purpose == "sale-sharing")
            #expect(events.first?.envelope["eventType"] == .string("PartyPrivacyProfileAttributeValueChangeEvent"))
            let audit = try await AuditReader(database: fixture.services.database).entries(.init(customerID: californian.id), offset: 0, limit: 50)
            #expect(audit.entries.contains { $0.action == "optOut.sale-sharing" && $0.fields.contains("channel:gpc") })

            // A second signal changes nothing more; the dashboard shows the opt-out and its channel.
            let again = try await client.execute(
                uri: "/self/v1/me/dashboard", method: .get, headers: [.authorization: "Bearer \(caToken)", HTTPField.Name("Sec-GPC")!: "1"])
            #expect(again.headers[HTTPField.Name("Consentry-GPC-Applied")!] == nil)
            let dashboard = try again.json()
            #expect(dashboard["jurisdiction"]?["id"] == .string("us-ca-cpra"))
            let saleSharing = try #require(dashboard["optOuts"]?.arrayValue?.first { $0["right"] == .string("sale-sharing") })
            #expect(saleSharing["optedOut"] == .bool(true) && saleSharing["channel"] == .string("gpc") && saleSharing["globalPrivacyControl"] == .bool(true))
            #expect(try await fixture.services.consents.history(customerID: californian.id).count == 1)

            // Opting back in, knowingly, holds against later signals (CCPA regulations § 7025(c)(3)).
            let back = try await client.execute(uri: "/self/v1/me/opt-outs/sale-sharing", method: .delete, headers: [.authorization: "Bearer \(caToken)"])
            #expect(back.status == .ok)
            #expect(try back.json()["receipt"]?["jws"]?.stringValue != nil)
            _ = try await client.execute(uri: "/self/v1/me", method: .get, headers: [.authorization: "Bearer \(caToken)", HTTPField.Name("Sec-GPC")!: "1"])
            #expect(try await fixture.services.consents.history(customerID: californian.id).map(\.kind) == [.optOut, .optOutWithdrawn])
            #expect(try await partnerRead(californian)["privacyDecision"]?["customerReason"] == nil)

            // The German customer's signal: no opt-out, no receipt, no event, no header.
            let deToken = try await Self.token(german)
            let gdpr = try await client.execute(
                uri: "/self/v1/me/consents", method: .get, headers: [.authorization: "Bearer \(deToken)", HTTPField.Name("Sec-GPC")!: "1"])
            #expect(gdpr.status == .ok && gdpr.headers[HTTPField.Name("Consentry-GPC-Applied")!] == nil)
            #expect(try await fixture.services.consents.history(customerID: german.id).isEmpty)
            #expect(try await fixture.services.consents.receipts(customerID: german.id).isEmpty)
            #expect(try await EventOutbox(database: fixture.services.database).events(customerID: german.id).isEmpty)
            let optOuts = try await client.execute(uri: "/self/v1/me/opt-outs", method: .get, headers: [.authorization: "Bearer \(deToken)"])
            #expect(try optOuts.json()["rights"] == .array([]) && (try optOuts.json()["jurisdiction"]?["id"]) == .string("eu-gdpr"))
            let refused = try await client.execute(uri: "/self/v1/me/opt-outs/sale-sharing", method: .put, headers: [.authorization: "Bearer \(deToken)"])
            #expect(refused.status == .conflict && refused.text.contains("opt_out_not_applicable"), "\(refused.text)")
            #expect(try await partnerRead(german)["privacyDecision"]?["customerReason"]?.stringValue == "NO_CONSENT")
        }
    }

    @Test("an agent records a Californian's opt-out through TMF644, with a receipt; limiting sensitive data stops recommendations")
    func agentOptOut() async throws {
        let fixture = try await GuardedAPIFixture.make(customerCount: 0)
        let californian = try await Self.resident(fixture, "US", state: "CA", tag: "agent-ca")
        try await fixture.withServer { client in
            let body = """
                {"engagedPartyRole":[{"id":"\(californian.id)","role":"customer"}],"agentId":"agent-7","channel":"call_centre",
                 "partyPrivacyProfileCharacteristic":[{"privacyUsagePurpose":"limit-sensitive","value":"opted_out"}]}
                """
            let created = try await client.execute(
                uri: "/tmf-api/privacyManagement/v4/partyPrivacyAgreement", method: .post,
                headers: fixture.headers("csr-toolbox", purpose: "customer-care", extra: [.contentType: "application/json"]), body: ByteBuffer(string: body))
            #expect(created.status == .created, "\(created.text)")
            let history = try await fixture.services.consents.history(customerID: californian.id)
            #expect(history.first?.kind == .optOut && history.first?.expressedBy == .agent && history.first?.actorID == "agent-7")
            let (state, _) = try #require(try await fixture.services.consents.privacyState(customerID: californian.id))
            #expect(state.optOuts == [.limitSensitive])
            let policy = fixture.services.policies.policy
            let engine = DecisionEngine(policy: policy)
            let grant = try engine.authorize(module: "customer-insight-management", purpose: "customer-insight", operation: .read)
            #expect(engine.decide(grant, customer: state, fields: [.gender], now: Date()).customerReason == .sensitiveUseLimited)
            let bad = body.replacingOccurrences(of: "\"opted_out\"", with: "\"given\"")
            let refused = try await client.execute(
                uri: "/tmf-api/privacyManagement/v4/partyPrivacyAgreement", method: .post,
                headers: fixture.headers("csr-toolbox", purpose: "customer-care", extra: [.contentType: "application/json"]), body: ByteBuffer(string: bad))
            #expect(refused.status == .badRequest || refused.status == .unprocessableContent, "\(refused.text)")
        }
    }

    @Test("the breach register: affected customers from a module's reads, the 72-hour clock per jurisdiction, the decision and the letters")
    func breachRegister() async throws {
        let fixture = try await GuardedAPIFixture.make(customerCount: 0)
        let read = [
            try await Self.resident(fixture, "DE", language: "de", tag: "breach-1"),
            try await Self.resident(fixture, "FR", tag: "breach-2"),
            try await Self.resident(fixture, "BR", tag: "breach-3"),
        ]
        let untouched = try await Self.resident(fixture, "DE", tag: "breach-4")
        let officer = fixture.headers("officer", purpose: nil, extra: [.contentType: "application/json"])
        let start = Date(timeIntervalSinceNow: -60)
        try await fixture.withServer { client in
            for customer in read {
                let response = try await client.execute(
                    uri: "\(Self.api)/customer/\(customer.id)", method: .get, headers: fixture.headers("bill-calculation", purpose: "billing"))
                #expect(response.status == .ok)
            }
            try await Task.sleep(for: .milliseconds(300))  // the audit writer's batch is durable before the read returns; this is margin only
            let discovered = ISOTimestamp.format(Date())
            let report = """
                {"title":"Billing export left on a shared drive","description":"A billing export was readable by all staff for a day.",
                 "discoveredAt":"\(discovered)","consequences":"Names and email addresses may have been seen by staff.",
                 "measures":"The export was deleted and access reviewed.",
                 "affected":{"module":"bill-calculation","from":"\(ISOTimestamp.format(start))","until":"\(ISOTimestamp.format(Date(timeIntervalSinceNow: 60)))"}}
                """
            let notOfficer = try await client.execute(
                uri: "/compliance/v1/breaches", method: .post, headers: fixture.headers("bill-calculation", purpose: nil, extra: [.contentType: "application/json"]),
                body: ByteBuffer(string: report))
            #expect(notOfficer.status == .forbidden || notOfficer.status == .unauthorized)
            let created = try await client.execute(uri: "/compliance/v1/breaches", method: .post, headers: officer, body: ByteBuffer(string: report))
            #expect(created.status == .created, "\(created.text)")
            let breach = try created.json()
            let id = try #require(breach["id"]?.stringValue)
            #expect(breach["affected"]?["count"] == .int(3))
            #expect(breach["categories"]?.arrayValue?.contains(.string("user.name")) == true, "the categories the reads disclosed")
            let clocks = try #require(breach["authority"]?["clocks"]?.arrayValue)
            #expect(clocks.map { $0["jurisdiction"]?.stringValue ?? "" } == ["br-lgpd", "eu-gdpr"])
            let gdprClock = try #require(clocks.first { $0["jurisdiction"] == .string("eu-gdpr") })
            #expect(gdprClock["affected"] == .int(2))
            #expect(ISODate.parseDateOrDateTime(gdprClock["dueAt"]?.stringValue ?? "") == ISODate.parseDateOrDateTime(discovered)!.addingTimeInterval(72 * 3600))
            #expect(breach["authority"]?["hoursLeft"] == .int(71))

            let customers = try await client.execute(uri: "/compliance/v1/breaches/\(id)/customers?format=csv", method: .get, headers: officer)
            #expect(read.allSatisfy { customers.text.contains($0.id) } && !customers.text.contains(untouched.id))

            // No letters before the decision; then one per customer, in their language.
            let early = try await client.execute(uri: "/compliance/v1/breaches/\(id)/letters", method: .get, headers: officer)
            #expect(early.status == .conflict)
            let decided = try await client.execute(
                uri: "/compliance/v1/breaches/\(id)/customer-notification", method: .post, headers: officer,
                body: ByteBuffer(string: #"{"notify":true,"reason":"Contact data of identifiable people: a risk to their rights (Art. 34(1))."}"#))
            #expect(decided.status == .ok)
            #expect(try decided.json()["customerNotification"]?["decision"] == .string("notify"))
            let letters = try await client.execute(uri: "/compliance/v1/breaches/\(id)/letters", method: .get, headers: officer)
            let rows = try #require(try letters.json()["sections"]?.arrayValue?.first?["rows"]?.arrayValue)
            #expect(rows.count == 3)
            let german = try #require(rows.first { $0.arrayValue?.first == .string(read[0].id) }?.arrayValue)
            #expect(german[1] == .string("de") && german[2].stringValue?.contains("Guten Tag Test Resident-breach-1") == true)
            #expect(german[2].stringValue?.contains("(Regulation (EU) 2016/679 (GDPR))") == true && german[2].stringValue?.contains("dpo@operator.example") == true)
            let brazilian = try #require(rows.first { $0.arrayValue?.first == .string(read[2].id) }?.arrayValue)
            #expect(brazilian[2].stringValue?.contains("Lei Geral de Proteção de Dados") == true, "each letter cites the customer's own law")
            let french = try #require(rows.first { $0.arrayValue?.first == .string(read[1].id) }?.arrayValue)
            #expect(french[1] == .string("en"), "no French letter text: English")

            let notified = try await client.execute(
                uri: "/compliance/v1/breaches/\(id)/authority-notification", method: .post, headers: officer,
                body: ByteBuffer(string: #"{"reference":"DPA-2026-0042"}"#))
            #expect(notified.status == .ok)
            #expect(try notified.json()["authority"]?["reference"] == .string("DPA-2026-0042"))
            #expect((try notified.json()["authority"]?["hoursLeft"]) == nil, "the clock stops once the authority is told")
            let html = try await client.execute(uri: "/compliance/v1/breaches/\(id)?format=html", method: .get, headers: officer)
            #expect(html.text.contains("DPA-2026-0042") && html.text.contains("Supervisory authorities"))
            let sent = try await client.execute(uri: "/compliance/v1/breaches/\(id)/customers-notified", method: .post, headers: officer)
            #expect((try sent.json()["customerNotification"]?["notifiedAt"]) != .null)

            // A list with an unknown id is refused, naming its position; nothing is stored.
            let badList = try await client.execute(
                uri: "/compliance/v1/breaches", method: .post, headers: officer,
                body: ByteBuffer(string: """
                    {"title":"t","description":"d","discoveredAt":"\(discovered)","consequences":"c","measures":"m",
                     "affected":{"customers":["\(untouched.id)","no-such-customer"]}}
                    """))
            #expect(badList.status == .unprocessableContent && badList.text.contains("affected.customers[1]"), "\(badList.text)")
            let listed = try await client.execute(uri: "/compliance/v1/breaches", method: .get, headers: officer)
            #expect(try listed.json().arrayValue?.count == 1)
            let audit = try await AuditReader(database: fixture.services.database).entries(.init(customerID: nil, actorKind: .officer), offset: 0, limit: 50)
            #expect(Set(audit.entries.map(\.action)).isSuperset(of: ["breach.recorded", "breach.updated", "breach.letters"]))
        }
    }

    @Test("the record of processing names the controller, the DPO, the data subjects, the transfers and the jurisdictions")
    func recordOfProcessing() async throws {
        let fixture = try await GuardedAPIFixture.make(customerCount: 0)
        let controller = fixture.services.policies.policy.controller
        try await fixture.withServer { client in
            let report = try await client.execute(uri: "/compliance/v1/reports/record-of-processing", method: .get, headers: fixture.headers("officer", purpose: nil))
            let text = report.text
            #expect(text.contains(controller.name) && text.contains(controller.dpo.email))
            #expect(controller.dataSubjectCategories.allSatisfy { text.contains($0) } && !controller.transfers.isEmpty)
            #expect(controller.transfers.allSatisfy { text.contains($0.safeguard) })
            #expect(["eu-gdpr (default)", "uk-gdpr", "us-ca-cpra", "br-lgpd", "sale-sharing: partner-advertising (GPC)"].allSatisfy { text.contains($0) })
            #expect(text.contains("A scoring model weighs your payment history"), "the automated decision's logic")
        }
    }
}
