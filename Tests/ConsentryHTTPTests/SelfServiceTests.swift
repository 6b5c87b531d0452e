import ConsentryCore
import ConsentryCrypto
import ConsentryHTTP
import ConsentryStore
import ConsentryTesting
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import JWTKit
import NIOCore
import Testing

@Suite("Customer self-management over HTTP")
struct SelfServiceTests {
    static let api = GuardedAPIFixture.api

    /// A token as the identity provider would issue it, or a deliberately bad one.
    func token(
        subject: String, issuer: String = TestServices.identity.issuer, audience: String = TestServices.identity.audience,
        secret: SecureBytes? = TestServices.identity.hs256Secret, lifetime: TimeInterval = 600
    ) async throws -> String {
        let minter = try await CustomerTokenVerifier.make(CustomerIdentitySettings(issuer: issuer, audience: audience, hs256Secret: secret))
        return try await minter.mint(subject: subject, lifetime: lifetime, now: lifetime < 0 ? Date(timeIntervalSinceNow: -3600) : Date())
    }

    static func age(_ customer: Customer) -> Int? {
        guard case .individual(let p) = customer.profile.engagedParty, let birth = p.birthDate, let year = Int(birth.prefix(4)) else { return nil }
        return Calendar(identifier: .gregorian).component(.year, from: Date()) - year
    }

    func adults(_ fixture: GuardedAPIFixture) -> [Customer] {
        fixture.customers.filter { c in (Self.age(c) ?? 0) > 20 && c.profile.loginSubject != nil && !c.profile.emails.isEmpty }
    }

    @Test("a customer sees only their own data; forged, expired, foreign and unknown tokens get 401")
    func ownDataOnly() async throws {
        let fixture = try await GuardedAPIFixture.make(customerCount: 30)
        let people = adults(fixture)
        let (a, b) = (people[0], people[1])
        let tokenA = try await token(subject: a.profile.loginSubject!)
        let tokenB = try await token(subject: b.profile.loginSubject!)
        let minter = try await CustomerTokenVerifier.make(TestServices.identity)
        let bad: [(String, String)] = [
            ("wrong secret", try await token(subject: a.profile.loginSubject!, secret: SecureBytes(copying: Array("another-secret-another-secret-another".utf8)))),
            ("wrong issuer", try await token(subject: a.profile.loginSubject!, issuer: "https://evil.example")),
            ("wrong audience", try await token(subject: a.profile.loginSubject!, audience: "billing")),
            ("expired", try await token(subject: a.profile.loginSubject!, lifetime: -60)),
            ("unknown subject", try await token(subject: "nobody-at-all")),
            ("not valid yet", try await minter.mint(subject: a.profile.loginSubject!, notBefore: Date(timeIntervalSinceNow: 3600))),
            ("issued in the future", try await minter.mint(subject: a.profile.loginSubject!, lifetime: 600, now: Date(timeIntervalSinceNow: 3600))),
            ("lives two days", try await minter.mint(subject: a.profile.loginSubject!, lifetime: 48 * 3600)),
            ("garbage", "not.a.token"),
            ("unsigned", "eyJhbGciOiJub25lIn0." + Data(#"{"sub":"x","iss":"https://idp.operator.example","aud":"consentry-self-service","exp":9999999999}"#.utf8).base64EncodedString() + "."),
        ]
        try await fixture.withServer { client in
            let meA = try await client.execute(uri: "/self/v1/me", method: .get, headers: [.authorization: "Bearer \(tokenA)"])
            #expect(meA.status == .ok, "\(meA.text)")
            #expect(try meA.json()["id"] == .string(a.id))
            #expect(meA.text.contains(a.profile.emails[0]) && !meA.text.contains(b.profile.emails[0]))
            #expect(meA.text.contains(#""category":"user.contact.email""#))
            let meB = try await client.execute(uri: "/self/v1/me", method: .get, headers: [.authorization: "Bearer \(tokenB)"])
            #expect(try meB.json()["id"] == .string(b.id))
            for (name, badToken) in bad {
                for path in ["/self/v1/me", "/self/v1/me/consents", "/self/v1/me/receipts"] {
                    let response = try await client.execute(uri: path, method: .get, headers: [.authorization: "Bearer \(badToken)"])
                    #expect(response.status == .unauthorized, "\(name) on \(path)")
                    #expect(!response.text.contains(a.id), "\(name)")
                }
            }
            let none = try await client.execute(uri: "/self/v1/me", method: .get)
            #expect(none.status == .unauthorized)
            // A's consent changes A only.
            let put = try await client.execute(
                uri: "/self/v1/me/consents/loyalty", method: .put, headers: [.authorization: "Bearer \(tokenA)", .contentType: "application/json"],
                body: ByteBuffer(string: #"{"status":"given"}"#))
            #expect(put.status == .ok, "\(put.text)")
            let consentsB = try await client.execute(uri: "/self/v1/me/consents", method: .get, headers: [.authorization: "Bearer \(tokenB)"])
            #expect(consentsB.text.contains(#""purpose":"loyalty""#))
            #expect(!consentsB.text.contains(#""purpose":"loyalty","name":"Loyalty programme","description":"With your consent you collect points and receive birthday and anniversary rewards.","legalBasis":"consent","article":"Art. 6(1)(a)","retention":"P3M after relationship_end","status":"given""#))
            let receiptsB = try await client.execute(uri: "/self/v1/me/receipts", method: .get, headers: [.authorization: "Bearer \(tokenB)"])
            #expect(receiptsB.text == "[]")
            // A module key is not a customer token.
            let moduleKey = try await client.execute(uri: "/self/v1/me", method: .get, headers: [.authorization: "Bearer \(fixture.keys["csr-toolbox"]!)"])
            #expect(moduleKey.status == .unauthorized)
        }
    }

    @Test("withdrawing consent through /self/v1/me makes the very next module read withhold the fields")
    func withdrawalReachesModules() async throws {
        let fixture = try await GuardedAPIFixture.make(customerCount: 20)
        let customer = adults(fixture)[0]
        let email = customer.profile.emails[0]
        let token = try await token(subject: customer.profile.loginSubject!)
        let customerHeaders: HTTPFields = [.authorization: "Bearer \(token)", .contentType: "application/json"]
        let module = fixture.headers("customer-loyalty-management", purpose: "direct-marketing")
        try await fixture.withServer { client in
            let refused = try await client.execute(uri: "\(Self.api)/customer/\(customer.id)", method: .get, headers: module)
            #expect(try refused.json()["privacyDecision"]?["customerReason"] == .string("NO_CONSENT"))
            let give = try await client.execute(uri: "/self/v1/me/consents/direct-marketing", method: .put, headers: customerHeaders, body: ByteBuffer(string: #"{"status":"given","channel":"app"}"#))
            #expect(give.status == .ok, "\(give.text)")
            let allowed = try await client.execute(uri: "\(Self.api)/customer/\(customer.id)", method: .get, headers: module)
            #expect(allowed.text.contains(email))
            let withdraw = try await client.execute(uri: "/self/v1/me/consents/direct-marketing", method: .put, headers: customerHeaders, body: ByteBuffer(string: #"{"status":"withdrawn"}"#))
            #expect(withdraw.status == .ok)
            let after = try await client.execute(uri: "\(Self.api)/customer/\(customer.id)", method: .get, headers: module)
            #expect(!after.text.contains(email))
            #expect(try after.json()["privacyDecision"]?["customerReason"] == .string("CONSENT_WITHDRAWN"))
            let consents = try await client.execute(uri: "/self/v1/me/consents", method: .get, headers: customerHeaders)
            guard case .array(let purposes) = try consents.json()["purposes"] else { Issue.record("no purposes"); return }
            let marketing = purposes.first { $0["purpose"] == .string("direct-marketing") }
            #expect(marketing?["status"] == .string("withdrawn"))
            #expect(purposes.first { $0["purpose"] == .string("billing") }?["status"] == .string("not_required"))
            // Contract purposes are not a matter of consent.
            let contract = try await client.execute(uri: "/self/v1/me/consents/billing", method: .put, headers: customerHeaders, body: ByteBuffer(string: #"{"status":"withdrawn"}"#))
            #expect(contract.status == .conflict)
            let unknownField = try await client.execute(uri: "/self/v1/me/consents/loyalty", method: .put, headers: customerHeaders, body: ByteBuffer(string: #"{"status":"given","colour":"red"}"#))
            #expect(unknownField.status == .badRequest)
        }
        let history = try await fixture.services.consents.history(customerID: customer.id)
        #expect(history.map(\.kind) == [.given, .withdrawn])
        #expect(history.map(\.channel) == [.app, .web])
    }

    @Test("a receipt verifies with the published key; a tampered one does not")
    func receipts() async throws {
        let fixture = try await GuardedAPIFixture.make(customerCount: 20)
        let customer = adults(fixture)[0]
        let token = try await token(subject: customer.profile.loginSubject!)
        try await fixture.withServer { client in
            let give = try await client.execute(
                uri: "/self/v1/me/consents/loyalty", method: .put, headers: [.authorization: "Bearer \(token)", .contentType: "application/json"],
                body: ByteBuffer(string: #"{"status":"given"}"#))
            let jws = try #require(try give.json()["receipt"]?["jws"]?.stringValue)
            let jwks = try await client.execute(uri: "/self/v1/receipts/jwks", method: .get).text
            // Verify as an outsider would: only the published JWKS.
            let verifier = JWTKeyCollection()
            try await verifier.add(jwksJSON: jwks)
            let receipt = try await verifier.verify(jws, as: ConsentReceipt.self)
            #expect(receipt.piiPrincipalId == customer.id && receipt.purposeId == "loyalty" && receipt.consentStatus == "given")
            #expect(receipt.version == "KI-CR-v1.1.0" && receipt.services.first?.purposes.first?.purposeCategory == ["dpv:CustomerRelationshipManagement"])
            #expect(!jws.contains(customer.profile.emails[0]))
            // Tamper: flip the status inside the signed payload.
            let parts = jws.split(separator: ".").map(String.init)
            var payload = Data(base64Encoded: Self.padded(parts[1]))!
            payload = Data(String(decoding: payload, as: UTF8.self).replacingOccurrences(of: "\"given\"", with: "\"refused\"").utf8)
            let tampered = [parts[0], payload.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: ""), parts[2]].joined(separator: ".")
            await #expect(throws: (any Error).self) { try await verifier.verify(tampered, as: ConsentReceipt.self) }
            let listed = try await client.execute(uri: "/self/v1/me/receipts", method: .get, headers: [.authorization: "Bearer \(token)"])
            #expect(listed.text.contains(jws))
        }
    }

    @Test("under the policy's age a customer cannot consent alone")
    func guardianRequired() async throws {
        let fixture = try await GuardedAPIFixture.make(customerCount: 240)
        let minor = try #require(fixture.customers.first { (Self.age($0) ?? 99) < 15 && $0.profile.loginSubject != nil })
        let token = try await token(subject: minor.profile.loginSubject!)
        try await fixture.withServer { client in
            let response = try await client.execute(
                uri: "/self/v1/me/consents/direct-marketing", method: .put, headers: [.authorization: "Bearer \(token)", .contentType: "application/json"],
                body: ByteBuffer(string: #"{"status":"given"}"#))
            #expect(response.status == .forbidden)
            #expect(try response.problem().code == "guardian_required")
            // Withdrawing never needs a guardian.
            let withdraw = try await client.execute(
                uri: "/self/v1/me/consents/direct-marketing", method: .put, headers: [.authorization: "Bearer \(token)", .contentType: "application/json"],
                body: ByteBuffer(string: #"{"status":"withdrawn"}"#))
            #expect(withdraw.status == .ok)
        }
    }

    @Test("objection and restriction through /self reach the module reads; contract purposes cannot be objected to")
    func objectionAndRestriction() async throws {
        let fixture = try await GuardedAPIFixture.make(customerCount: 20)
        let customer = adults(fixture)[0]
        let token = try await token(subject: customer.profile.loginSubject!)
        let me: HTTPFields = [.authorization: "Bearer \(token)"]
        let fraud = fixture.headers("customer-order-management", purpose: "fraud-prevention")
        let care = fixture.headers("csr-toolbox", purpose: "customer-care")
        try await fixture.withServer { client in
            @Sendable func read(_ headers: HTTPFields) async throws -> TestResponse {
                try await client.execute(uri: "\(Self.api)/customer/\(customer.id)", method: .get, headers: headers)
            }
            let before = try await read(fraud)
            #expect(try before.json()["privacyDecision"]?["customerReason"] == nil)
            #expect(try await client.execute(uri: "/self/v1/me/objections/fraud-prevention", method: .put, headers: me).status == .ok)
            #expect(try await read(fraud).json()["privacyDecision"]?["customerReason"] == .string("OBJECTION"))
            #expect(try await client.execute(uri: "/self/v1/me/objections/billing", method: .put, headers: me).status == .conflict)
            #expect(try await client.execute(uri: "/self/v1/me/objections/fraud-prevention", method: .delete, headers: me).status == .ok)
            #expect(try await read(fraud).json()["privacyDecision"]?["customerReason"] == nil)
            #expect(try await client.execute(uri: "/self/v1/me/restriction?channel=app", method: .put, headers: me).status == .ok)
            #expect(try await read(care).json()["privacyDecision"]?["customerReason"] == .string("RESTRICTED"))
            #expect(try await client.execute(uri: "/self/v1/me/restriction", method: .delete, headers: me).status == .ok)
            #expect(try await read(care).json()["privacyDecision"]?["customerReason"] == nil)
            #expect(try await client.execute(uri: "/self/v1/me/restriction?channel=pigeon", method: .put, headers: me).status == .badRequest)
        }
    }

    @Test("correcting contact details re-validates, re-indexes and refuses anything but contact media")
    func correction() async throws {
        let fixture = try await GuardedAPIFixture.make(customerCount: 20)
        let customer = adults(fixture)[0]
        let token = try await token(subject: customer.profile.loginSubject!)
        let headers: HTTPFields = [.authorization: "Bearer \(token)", .contentType: "application/json"]
        var media = customer.profile.contactMedium
        let index = try #require(media.firstIndex { $0.mediumType == .email })
        media[index].characteristic.emailAddress = "my.new.address@example.net"
        let body = String(decoding: try JSONEncoder().encode(["contactMedium": media]), as: UTF8.self)
        media[index].characteristic.emailAddress = "not an email"
        let invalid = String(decoding: try JSONEncoder().encode(["contactMedium": media]), as: UTF8.self)
        try await fixture.withServer { client in
            let name = try await client.execute(uri: "/self/v1/me", method: .patch, headers: headers, body: ByteBuffer(string: #"{"engagedParty":{"@type":"Individual","givenName":"X","familyName":"Y"}}"#))
            #expect(name.status == .badRequest)
            let bad = try await client.execute(uri: "/self/v1/me", method: .patch, headers: headers, body: ByteBuffer(string: invalid))
            #expect(bad.status == .unprocessableContent)
            #expect(!bad.text.contains("not an email"))
            let ok = try await client.execute(uri: "/self/v1/me", method: .patch, headers: headers, body: ByteBuffer(string: body))
            #expect(ok.status == .ok, "\(ok.text)")
            #expect(try ok.json()["changed"] == .array([.string("contactMedium.email")]))
            let found = try await client.execute(
                uri: "\(Self.api)/customer?email=my.new.address%40example.net", method: .get, headers: fixture.headers("csr-toolbox", purpose: "customer-care"))
            #expect(found.text.contains(customer.id))
        }
    }

    @Test("portability: JSON in the import format with consent history, and CSV by field and category")
    func export() async throws {
        let fixture = try await GuardedAPIFixture.make(customerCount: 10)
        let customer = adults(fixture)[0]
        let token = try await token(subject: customer.profile.loginSubject!)
        let headers: HTTPFields = [.authorization: "Bearer \(token)", .contentType: "application/json"]
        try await fixture.withServer { client in
            _ = try await client.execute(uri: "/self/v1/me/consents/loyalty", method: .put, headers: headers, body: ByteBuffer(string: #"{"status":"given"}"#))
            let json = try await client.execute(uri: "/self/v1/me/export?format=json", method: .get, headers: headers)
            #expect(json.headers[.contentDisposition]?.contains("my-data.json") == true)
            let exported = try json.json()
            let customerJSON = Data(exported["customer"]!.bytes)
            let draft = try JSONDecoder().decode(CustomerDraft.self, from: customerJSON)  // importable again
            #expect(draft.profile == customer.profile)
            #expect(exported["consentHistory"].map { "\($0)" }?.contains("loyalty") == true)
            let csv = try await client.execute(uri: "/self/v1/me/export?format=csv", method: .get, headers: headers)
            #expect(csv.headers[.contentType] == "text/csv; charset=utf-8")
            #expect(csv.text.hasPrefix("field,category,value\r\n"))
            #expect(csv.text.contains("user.contact.email") && csv.text.contains(customer.profile.emails[0]))
            #expect(try await client.execute(uri: "/self/v1/me/export?format=xml", method: .get, headers: headers).status == .badRequest)
        }
    }

    @Test("requests are recorded with a due date one month out; the same open request is not filed twice")
    func requests() async throws {
        let fixture = try await GuardedAPIFixture.make(customerCount: 10)
        let customer = adults(fixture)[0]
        let token = try await token(subject: customer.profile.loginSubject!)
        let headers: HTTPFields = [.authorization: "Bearer \(token)", .contentType: "application/json"]
        try await fixture.withServer { client in
            let first = try await client.execute(uri: "/self/v1/me/requests", method: .post, headers: headers, body: ByteBuffer(string: #"{"type":"erasure"}"#))
            #expect(first.status == .created)
            let filed = try first.json()
            let received = try #require(ISO8601DateFormatter().date(from: filed["receivedAt"]!.stringValue!))
            let due = try #require(ISO8601DateFormatter().date(from: filed["dueAt"]!.stringValue!))
            #expect(due.timeIntervalSince(received) >= 28 * 86_400 && due.timeIntervalSince(received) <= 31 * 86_400)
            let again = try await client.execute(uri: "/self/v1/me/requests", method: .post, headers: headers, body: ByteBuffer(string: #"{"type":"erasure"}"#))
            #expect(again.status == .ok)
            #expect(try again.json()["id"] == filed["id"] && again.json()["duplicate"] == .bool(true))
            let rectify = try await client.execute(uri: "/self/v1/me/requests", method: .post, headers: headers,
                                                   body: ByteBuffer(string: #"{"type":"rectification","fields":["engagedParty.familyName"]}"#))
            #expect(rectify.status == .created)
            let badField = try await client.execute(uri: "/self/v1/me/requests", method: .post, headers: headers,
                                                    body: ByteBuffer(string: #"{"type":"rectification","fields":["shoeSize"]}"#))
            #expect(badField.status == .unprocessableContent)
            let listed = try await client.execute(uri: "/self/v1/me/requests", method: .get, headers: headers)
            guard case .array(let items) = try listed.json() else { Issue.record("not a list"); return }
            #expect(items.count == 2)
        }
    }

    @Test("the dashboard shows data by category, purposes, and which module read what, when and why")
    func dashboard() async throws {
        let fixture = try await GuardedAPIFixture.make(customerCount: 10)
        let customer = adults(fixture)[0]
        let token = try await token(subject: customer.profile.loginSubject!)
        let headers: HTTPFields = [.authorization: "Bearer \(token)"]
        try await fixture.withServer { client in
            for _ in 0..<3 {
                _ = try await client.execute(uri: "\(Self.api)/customer/\(customer.id)", method: .get, headers: fixture.headers("csr-toolbox", purpose: "customer-care"))
            }
            _ = try await client.execute(uri: "\(Self.api)/customer/\(customer.id)", method: .get, headers: fixture.headers("bill-calculation", purpose: "billing"))
            // Another customer's reads never show up here.
            _ = try await client.execute(uri: "\(Self.api)/customer/\(fixture.customers[9].id)", method: .get, headers: fixture.headers("csr-toolbox", purpose: "customer-care"))
            let response = try await client.execute(uri: "/self/v1/me/dashboard", method: .get, headers: headers)
            #expect(response.status == .ok, "\(response.text)")
            let body = try response.json()
            #expect(body["accessHistory"]?["total"] == .int(4))
            guard case .array(let recent) = body["accessHistory"]?["recent"], case .array(let held) = body["dataHeld"] else { Issue.record("shape"); return }
            #expect(recent.first?["module"] == .string("bill-calculation") && recent.first?["purpose"] == .string("billing"))
            #expect(recent.first?["applicationType"] == .string("Bill Calculation"))
            #expect(recent.last?["maskedCategories"].map { "\($0)" }?.contains("user.demographic.date_of_birth") == true)
            let email = held.first { $0["category"] == .string("user.contact.email") }
            #expect(email?["usedBy"].map { "\($0)" }?.contains("direct-marketing") == true)
            let filtered = try await client.execute(uri: "/self/v1/me/dashboard/access?module=csr-toolbox&limit=2", method: .get, headers: headers)
            #expect(filtered.headers[HTTPField.Name("X-Total-Count")!] == "3")
            #expect(filtered.headers[HTTPField.Name("X-Result-Count")!] == "2")
            let future = try await client.execute(uri: "/self/v1/me/dashboard/access?from=2999-01-01T00:00:00Z", method: .get, headers: headers)
            #expect(future.text == "[]")
            #expect(try await client.execute(uri: "/self/v1/me/dashboard/access?from=yesterday", method: .get, headers: headers).status == .badRequest)
        }
    }

    static func padded(_ base64url: String) -> String {
        var text = base64url.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while text.count % 4 != 0 { text += "=" }
        return text
    }
}
