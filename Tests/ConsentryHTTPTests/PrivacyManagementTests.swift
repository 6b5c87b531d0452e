import ConsentryCore
import ConsentryHTTP
import ConsentryPolicy
import ConsentryStore
import ConsentryTesting
import Foundation
import ConsentryStorage
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@Suite("TMF644 privacy management")
struct PrivacyManagementTests {
    static let base = "/tmf-api/privacyManagement/v4"

    @Test("the specification has one characteristic per purpose of the policy")
    func specification() async throws {
        let fixture = try await GuardedAPIFixture.make(customerCount: 1)
        try await fixture.withServer { client in
            let list = try await client.execute(uri: "\(Self.base)/partyPrivacyProfileSpecification", method: .get, headers: fixture.headers("csr-toolbox", purpose: nil))
            #expect(list.status == .ok)
            guard case .array(let specs) = try list.json(), case .array(let characteristics) = specs.first?["partyPrivacyProfileSpecCharacteristic"] else {
                Issue.record("shape: \(list.text.prefix(200))"); return
            }
            #expect(characteristics.count == fixture.services.policies.policy.purposes.count)
            #expect(specs.first?["version"] == .string(fixture.services.policies.policy.version))
            let slim = try await client.execute(uri: "\(Self.base)/partyPrivacyProfileSpecification/consentry-policy?fields=version", method: .get, headers: fixture.headers("csr-toolbox", purpose: nil))
            #expect(try slim.json()["name"] == nil && slim.json()["version"] != nil)
            let none = try await client.execute(uri: "\(Self.base)/partyPrivacyProfileSpecification", method: .get)
            #expect(none.status == .unauthorized)
        }
    }

    @Test("the profile list pages through every customer in id order, each profile as GET by id gives it, each read audited")
    func profileList() async throws {
        let fixture = try await GuardedAPIFixture.make(customerCount: 7)
        let ids = fixture.customers.map(\.id).sorted()
        try await fixture.withServer { client in
            let headers = fixture.headers("csr-toolbox", purpose: "customer-care")
            var seen: [String] = []
            for offset in stride(from: 0, to: 7, by: 3) {
                let page = try await client.execute(uri: "\(Self.base)/partyPrivacyProfile?offset=\(offset)&limit=3", method: .get, headers: headers)
                #expect(page.status == .ok && page.headers[HTTPField.Name("X-Total-Count")!] == "7")
                guard case .array(let profiles) = try page.json() else { Issue.record("not a list"); return }
                for profile in profiles {
                    let id = try #require(profile["id"]?.stringValue)
                    let single = try await client.execute(uri: "\(Self.base)/partyPrivacyProfile/\(id)", method: .get, headers: headers)
                    #expect(try single.json() == profile, "the list shows what GET by id shows")
                    seen.append(id)
                }
            }
            #expect(seen == ids)
            let slim = try await client.execute(uri: "\(Self.base)/partyPrivacyProfile?limit=2&fields=status", method: .get, headers: headers)
            #expect(try slim.json()[0]?["partyPrivacyProfileCharacteristic"] == nil && (try slim.json()[0]?["status"]) != nil)
            let tooMany = try await client.execute(uri: "\(Self.base)/partyPrivacyProfile?limit=101", method: .get, headers: headers)
            #expect(tooMany.status == .badRequest)
        }
        // Two reads per customer: one from the list, one by id.
        let audited = try await fixture.installation.database.read { db in
            try db.fetchValue(Int.self, "SELECT COUNT(*) FROM audit_entry WHERE action = 'privacyProfile.read' AND actor_id = 'csr-toolbox'")!
        }
        #expect(audited == 14 + 2)
    }

    @Test("a care agent records consent captured in a call: agreement with receipt, agent id in the history, modules see it")
    func agentRecordsConsent() async throws {
        let fixture = try await GuardedAPIFixture.make(customerCount: 20)
        let customer = try #require(fixture.customers.first { c in
            if case .individual(let p) = c.profile.engagedParty, let birth = p.birthDate { return birth < "2000" && !c.profile.emails.isEmpty }
            return false
        })
        let body = """
            {"@type":"PartyPrivacyAgreement","applicableForParty":{"id":"\(customer.id)"},"channel":"call_centre","agentId":"agent-0042",
             "partyPrivacyProfileCharacteristic":[{"privacyUsagePurpose":"direct-marketing","value":"given"}]}
            """
        try await fixture.withServer { client in
            let refused = try await client.execute(
                uri: "\(Self.base)/partyPrivacyAgreement", method: .post,
                headers: fixture.headers("bill-calculation", purpose: "billing", extra: [.contentType: "application/json"]), body: ByteBuffer(string: body))
            #expect(refused.status == .forbidden)
            #expect(try refused.problem().reason == "OPERATION_NOT_ALLOWED")
            let created = try await client.execute(
                uri: "\(Self.base)/partyPrivacyAgreement", method: .post,
                headers: fixture.headers("csr-toolbox", purpose: "customer-care", extra: [.contentType: "application/json"]), body: ByteBuffer(string: body))
            #expect(created.status == .created, "\(created.text)")
            #expect(try created.json()["@type"] == .string("PartyPrivacyAgreement"))
            let read = try await client.execute(
                uri: "\(GuardedAPIFixture.api)/customer/\(customer.id)", method: .get, headers: fixture.headers("customer-loyalty-management", purpose: "direct-marketing"))
            #expect(read.text.contains(customer.profile.emails[0]))
            let profile = try await client.execute(
                uri: "\(Self.base)/partyPrivacyProfile/\(customer.id)", method: .get, headers: fixture.headers("csr-toolbox", purpose: "customer-care"))
            #expect(profile.status == .ok)
            guard case .array(let characteristics) = try profile.json()["partyPrivacyProfileCharacteristic"] else { Issue.record("shape"); return }
            #expect(characteristics.first { $0["name"] == .string("direct-marketing") }?["value"] == .string("given"))
            #expect(try profile.json()["applicableForParty"]?["id"] == .string(customer.id))
            let agreements = try await client.execute(
                uri: "\(Self.base)/partyPrivacyAgreement?applicableForParty.id=\(customer.id)", method: .get, headers: fixture.headers("csr-toolbox", purpose: "customer-care"))
            #expect(agreements.headers[HTTPField.Name("X-Total-Count")!] == "1")
            // PATCH on the profile records a withdrawal the same way.
            let patch = try await client.execute(
                uri: "\(Self.base)/partyPrivacyProfile/\(customer.id)", method: .patch,
                headers: fixture.headers("csr-toolbox", purpose: "customer-care", extra: [.contentType: "application/json"]),
                body: ByteBuffer(string: #"{"agentId":"agent-0042","partyPrivacyProfileCharacteristic":[{"privacyUsagePurpose":"direct-marketing","value":"withdrawn"}]}"#))
            #expect(patch.status == .ok, "\(patch.text)")
            let after = try await client.execute(
                uri: "\(GuardedAPIFixture.api)/customer/\(customer.id)", method: .get, headers: fixture.headers("customer-loyalty-management", purpose: "direct-marketing"))
            #expect(!after.text.contains(customer.profile.emails[0]))
            let noAgent = try await client.execute(
                uri: "\(Self.base)/partyPrivacyAgreement", method: .post,
                headers: fixture.headers("csr-toolbox", purpose: "customer-care", extra: [.contentType: "application/json"]),
                body: ByteBuffer(string: #"{"applicableForParty":{"id":"x"},"partyPrivacyProfileCharacteristic":[{"privacyUsagePurpose":"loyalty","value":"given"}]}"#))
            #expect(noAgent.status == .badRequest)
        }
        let history = try await fixture.services.consents.history(customerID: customer.id)
        #expect(history.map(\.expressedBy) == [.agent, .agent] && history.allSatisfy { $0.actorID == "agent-0042" && $0.channel == .callCentre })
    }

    @Test("a guardian's consent for a minor, recorded by an agent, makes the guardian the agreeing party")
    func guardianConsent() async throws {
        let fixture = try await GuardedAPIFixture.make(customerCount: 240)
        let minor = try #require(fixture.customers.first { c in
            if case .individual(let p) = c.profile.engagedParty, let birth = p.birthDate, birth > "2012" { return c.profile.relatedParty.contains { $0.role.lowercased() == "guardian" } }
            return false
        })
        let guardian = minor.profile.relatedParty.first { $0.role.lowercased() == "guardian" }!.id!
        let adult = try #require(fixture.customers.first { c in
            if case .individual(let p) = c.profile.engagedParty, let birth = p.birthDate { return birth < "1990" && c.id != guardian }
            return false
        })
        @Sendable func body(_ by: String, for customer: String? = nil, agreedBy: String? = nil) -> String {
            """
            {"applicableForParty":{"id":"\(customer ?? minor.id)"},"agentId":"agent-7","expressedBy":"\(by)",
             \(agreedBy.map { #""agreedByParty":{"id":"\#($0)","role":"guardian"},"# } ?? "")
             "partyPrivacyProfileCharacteristic":[{"privacyUsagePurpose":"loyalty","value":"given"}]}
            """
        }
        try await fixture.withServer { client in
            let headers = fixture.headers("csr-toolbox", purpose: "customer-care", extra: [.contentType: "application/json"])
            let alone = try await client.execute(uri: "\(Self.base)/partyPrivacyAgreement", method: .post, headers: headers, body: ByteBuffer(string: body("customer")))
            #expect(alone.status == .forbidden)
            #expect(try alone.problem().code == "guardian_required")
            // #11 finding 3: "guardian" alone, or a guardian the minor does not have, is refused;
            // so is a guardian acting for an adult.
            for (by, agreedBy, customer, code) in [
                ("guardian", nil, nil, "guardian_not_linked"), ("guardian", adult.id, nil, "guardian_not_linked"),
                ("guardian", guardian, adult.id, "guardian_not_linked"),
            ] as [(String, String?, String?, String)] {
                let refused = try await client.execute(
                    uri: "\(Self.base)/partyPrivacyAgreement", method: .post, headers: headers, body: ByteBuffer(string: body(by, for: customer, agreedBy: agreedBy)))
                #expect(refused.status == .forbidden && (try? refused.problem().code) == code, "\(refused.text)")
            }
            #expect(try await fixture.services.consents.history(customerID: minor.id).isEmpty)
            let byGuardian = try await client.execute(
                uri: "\(Self.base)/partyPrivacyAgreement", method: .post, headers: headers, body: ByteBuffer(string: body("guardian", agreedBy: guardian)))
            #expect(byGuardian.status == .created, "\(byGuardian.text)")
            let profile = try await client.execute(uri: "\(Self.base)/partyPrivacyProfile/\(minor.id)", method: .get, headers: fixture.headers("csr-toolbox", purpose: "customer-care"))
            #expect(try profile.json()["agreedByParty"]?["id"] == .string(guardian))
            #expect(try profile.json()["agreedByParty"]?["role"] == .string("guardian"))
            #expect(try profile.json()["applicableForParty"]?["id"] == .string(minor.id))
        }
        let history = try await fixture.services.consents.history(customerID: minor.id)
        #expect(history.last?.expressedBy == .guardian)
    }

    @Test("an unknown age counts as a minor's where a purpose needs a guardian; a linked guardian still consents (#11 finding 3)")
    func unknownAge() async throws {
        let fixture = try await GuardedAPIFixture.make(customerCount: 20)
        let guardian = try #require(fixture.customers.first { c in
            if case .individual(let p) = c.profile.engagedParty, let birth = p.birthDate { return birth < "1990" }
            return false
        })
        var draft = SyntheticCustomers().draft(9_001)
        guard case .individual(var person) = draft.profile.engagedParty else { Issue.record("an individual"); return }
        person.birthDate = nil
        draft.profile.engagedParty = .individual(person)
        draft.profile.relatedParty = [RelatedParty(id: guardian.id, role: "guardian")]
        let ageless = try await fixture.services.customers.create(draft)
        @Sendable func body(_ extra: String) -> ByteBuffer {
            ByteBuffer(string: """
                {"applicableForParty":{"id":"\(ageless.id)"},"agentId":"agent-7",\(extra)
                 "partyPrivacyProfileCharacteristic":[{"privacyUsagePurpose":"loyalty","value":"given"}]}
                """)
        }
        try await fixture.withServer { client in
            let headers = fixture.headers("csr-toolbox", purpose: "customer-care", extra: [.contentType: "application/json"])
            let alone = try await client.execute(uri: "\(Self.base)/partyPrivacyAgreement", method: .post, headers: headers, body: body(""))
            #expect(alone.status == .forbidden && (try? alone.problem().code) == "guardian_required", "\(alone.text)")
            let byGuardian = try await client.execute(
                uri: "\(Self.base)/partyPrivacyAgreement", method: .post, headers: headers,
                body: body(#""expressedBy":"guardian","agreedByParty":{"id":"\#(guardian.id)"},"#))
            #expect(byGuardian.status == .created, "\(byGuardian.text)")
            // Withdrawing never needs a guardian.
            let withdrawn = try await client.execute(
                uri: "\(Self.base)/partyPrivacyProfile/\(ageless.id)", method: .patch, headers: headers,
                body: ByteBuffer(string: #"{"agentId":"agent-7","partyPrivacyProfileCharacteristic":[{"privacyUsagePurpose":"loyalty","value":"withdrawn"}]}"#))
            #expect(withdrawn.status == .ok, "\(withdrawn.text)")
        }
        let audited = try await fixture.installation.database.read { db in
            try db.fetchValue(String.self, "SELECT fields FROM audit_entry WHERE action = 'consent.given' AND customer_id = ?", [ageless.id])
        }
        #expect(audited?.contains("guardian:\(guardian.id)") == true && audited?.contains("agent:agent-7") == true)
    }

    @Test("profiles and agreements show a module its own purposes, and the guardian only where the decision discloses relationships (#11 finding 2)")
    func readsFollowTheDecision() async throws {
        let fixture = try await GuardedAPIFixture.make(customerCount: 240)
        let minor = try #require(fixture.customers.first { c in
            if case .individual(let p) = c.profile.engagedParty, let birth = p.birthDate, birth > "2012" { return c.profile.relatedParty.contains { $0.role.lowercased() == "guardian" } }
            return false
        })
        let guardian = minor.profile.relatedParty.first { $0.role.lowercased() == "guardian" }!.id!
        try await fixture.withServer { client in
            let recorded = try await client.execute(
                uri: "\(Self.base)/partyPrivacyAgreement", method: .post,
                headers: fixture.headers("csr-toolbox", purpose: "customer-care", extra: [.contentType: "application/json"]),
                body: ByteBuffer(string: """
                    {"applicableForParty":{"id":"\(minor.id)"},"agentId":"agent-7","expressedBy":"guardian","agreedByParty":{"id":"\(guardian)"},
                     "partyPrivacyProfileCharacteristic":[{"privacyUsagePurpose":"loyalty","value":"given"}]}
                    """))
            #expect(recorded.status == .created, "\(recorded.text)")
            func names(_ response: TestResponse) throws -> [String] {
                guard case .array(let items) = try response.json()["partyPrivacyProfileCharacteristic"] else { return [] }
                return items.compactMap { if case .string(let name) = $0["name"] { name } else { nil } }
            }
            // Billing sees billing, nothing of loyalty, and no agreement.
            let billing = try await client.execute(uri: "\(Self.base)/partyPrivacyProfile/\(minor.id)", method: .get, headers: fixture.headers("bill-calculation", purpose: "billing"))
            #expect(billing.status == .ok)
            #expect(try names(billing) == ["billing"])
            #expect(!billing.text.contains(guardian))
            let billingAgreements = try await client.execute(
                uri: "\(Self.base)/partyPrivacyAgreement?applicableForParty.id=\(minor.id)", method: .get, headers: fixture.headers("bill-calculation", purpose: "billing"))
            #expect(billingAgreements.headers[HTTPField.Name("X-Total-Count")!] == "0")
            #expect(!billingAgreements.text.contains("consentReceipt"))
            // Loyalty sees its purposes and that a guardian agreed, but loyalty does not cover
            // relationships: the guardian is named by role, without the id.
            let loyalty = try await client.execute(
                uri: "\(Self.base)/partyPrivacyProfile/\(minor.id)", method: .get, headers: fixture.headers("customer-loyalty-management", purpose: "loyalty"))
            #expect(try names(loyalty) == ["direct-marketing", "loyalty"])
            #expect(try loyalty.json()["agreedByParty"]?["role"] == .string("guardian"))
            #expect(try loyalty.json()["agreedByParty"]?["id"] == nil)
            #expect(!loyalty.text.contains(guardian))
            let loyaltyAgreements = try await client.execute(
                uri: "\(Self.base)/partyPrivacyAgreement?applicableForParty.id=\(minor.id)", method: .get, headers: fixture.headers("customer-loyalty-management", purpose: "loyalty"))
            #expect(loyaltyAgreements.headers[HTTPField.Name("X-Total-Count")!] == "1")
        }
        // Each read is audited with its decision: the relationship field only where it left.
        let audited = try await fixture.installation.database.read { db in
            try db.fetchAll("SELECT actor_id, fields FROM audit_entry WHERE action = 'privacyProfile.read' AND customer_id = ? ORDER BY seq", [minor.id])
                .map { "\($0["actor_id"] as String):\($0["fields"] as String)" }
        }
        #expect(audited == ["bill-calculation:", "customer-loyalty-management:relatedParty:withheld"], "\(audited)")
    }

    @Test("a guardian signed in as themselves lists their minors and gives consent for them; nobody else can")
    func guardianSelfService() async throws {
        let fixture = try await GuardedAPIFixture.make(customerCount: 240)
        let now = Date()
        let byID = Dictionary(uniqueKeysWithValues: fixture.customers.map { ($0.id, $0) })
        let minor = try #require(fixture.customers.first { c in
            guard let age = c.profile.age(at: now), age < 16 else { return false }
            return c.profile.guardianIDs.contains { byID[$0]?.profile.loginSubject != nil }
        })
        let guardian = try #require(minor.profile.guardianIDs.compactMap { byID[$0] }.first { $0.profile.loginSubject != nil })
        let stranger = try #require(fixture.customers.first { c in
            c.id != guardian.id && c.profile.loginSubject != nil && (c.profile.age(at: now) ?? 0) > 20 && !minor.profile.guardianIDs.contains(c.id)
        })
        let minter = try await CustomerTokenVerifier.make(TestServices.identity)
        let guardianToken = try await minter.mint(subject: guardian.profile.loginSubject!)
        let strangerToken = try await minter.mint(subject: stranger.profile.loginSubject!)
        let change = ByteBuffer(string: #"{"status":"given","channel":"app"}"#)
        try await fixture.withServer { client in
            let list = try await client.execute(uri: "/self/v1/me/dependants", method: .get, headers: [.authorization: "Bearer \(guardianToken)"])
            #expect(list.status == .ok)
            #expect(list.text.contains(minor.id), "the guardian finds the minor through the guardian index")
            let strangers = try await client.execute(uri: "/self/v1/me/dependants", method: .get, headers: [.authorization: "Bearer \(strangerToken)"])
            #expect(!strangers.text.contains(minor.id))

            for (method, uri) in [(HTTPRequest.Method.get, "/self/v1/me/dependants/\(minor.id)/consents"), (.put, "/self/v1/me/dependants/\(minor.id)/consents/loyalty")] {
                let denied = try await client.execute(
                    uri: uri, method: method, headers: [.authorization: "Bearer \(strangerToken)", .contentType: "application/json"], body: change)
                #expect(denied.status == .notFound, "\(method) \(uri) by a stranger")
            }
            let given = try await client.execute(
                uri: "/self/v1/me/dependants/\(minor.id)/consents/loyalty", method: .put,
                headers: [.authorization: "Bearer \(guardianToken)", .contentType: "application/json"], body: change)
            #expect(given.status == .ok, "\(given.text)")
            #expect(try given.json()["expressedBy"] == .string("guardian"))
            let standing = try await client.execute(uri: "/self/v1/me/dependants/\(minor.id)/consents", method: .get, headers: [.authorization: "Bearer \(guardianToken)"])
            let loyalty = try standing.json()["purposes"].flatMap { purposes -> JSONValue? in
                guard case .array(let items) = purposes else { return nil }
                return items.first { $0["purpose"] == .string("loyalty") }
            }
            #expect(loyalty?["status"] == .string("given"))
            let profile = try await client.execute(uri: "\(Self.base)/partyPrivacyProfile/\(minor.id)", method: .get, headers: fixture.headers("csr-toolbox", purpose: "customer-care"))
            #expect(try profile.json()["agreedByParty"]?["id"] == .string(guardian.id))
        }
        let last = try #require(try await fixture.services.consents.history(customerID: minor.id).last)
        #expect(last.expressedBy == .guardian && last.actorID == guardian.id && last.channel == .app)
        let audited = try await fixture.installation.database.read { db in
            try db.fetchValue(String.self, "SELECT fields FROM audit_entry WHERE action = 'consent.given' AND customer_id = ? AND actor_id = ?", [minor.id, guardian.id])
        }
        #expect(audited?.contains("guardian:\(guardian.id)") == true)
        #expect(try await fixture.services.consents.receipts(customerID: minor.id).count == 1)
    }
}
