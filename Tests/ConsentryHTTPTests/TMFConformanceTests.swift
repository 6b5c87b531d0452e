import ConsentryCore
import ConsentryHTTP
import ConsentryStore
import ConsentryTesting
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// What a standard TM Forum client meets, beyond the schema checks every HTTP test makes
/// through `TMFCheckingClient`: references that lead somewhere, the official base paths,
/// Error bodies, the TMF644 operations and the ones refused with a reason.
@Suite("TM Forum conformance")
struct TMFConformanceTests {
    static let privacy = "/tmf-api/privacyManagement/v4"

    @Test("the contract check itself fails on a body that breaks the official schema, and passes the same body fixed")
    func contractCatchesViolations() throws {
        let contract = TMFContract.shared
        let customer = "/tmf-api/customerManagement/v4/customer/abc"
        let nested = #"{"id":"abc","engagedParty":{"@type":"Individual","givenName":"A"}}"#
        #expect(contract.violations(method: "GET", path: customer, status: 200, body: nested).contains { $0.contains("engagedParty.id: required") })
        let reference = #"{"id":"abc","engagedParty":{"id":"abc","@referredType":"Individual"}}"#
        #expect(contract.violations(method: "GET", path: customer, status: 200, body: reference).isEmpty)
        #expect(!contract.violations(method: "GET", path: customer, status: 404, body: #"{"status":404}"#).isEmpty)
        #expect(!contract.violations(method: "GET", path: "/tmf-api/customerManagement/v4/unheardOf", status: 200, body: "{}").isEmpty)
        #expect(!contract.violations(method: "GET", path: customer, status: 418, body: #"{"code":"x","reason":"y"}"#).isEmpty)
        let individual = "/tmf-api/party/v4/individual/abc"
        #expect(!contract.violations(method: "GET", path: individual, status: 200, body: #"{"id":"abc","deathDate":"2020-01-01"}"#).isEmpty)
        #expect(!contract.violations(method: "GET", path: individual, status: 200, body: #"{"id":"abc","status":"active"}"#).isEmpty)
    }

    @Test("a customer's engagedParty is a reference to its TMF632 party at the official base path, which answers; the first path still does")
    func engagedPartyReference() async throws {
        let fixture = try await GuardedAPIFixture.make(customerCount: 6)
        let customer = try #require(fixture.customers.first { $0.profile.engagedParty.type == .individual })
        try await fixture.withServer { client in
            let read = try await client.execute(
                uri: "\(GuardedAPIFixture.api)/customer/\(customer.id)", method: .get, headers: fixture.headers("csr-toolbox", purpose: "customer-care"))
            #expect(read.status == .ok, "\(read.text)")
            let body = try read.json()
            let party = try #require(body["engagedParty"])
            #expect(party["id"] == .string(customer.id))
            #expect(party["@referredType"] == .string("Individual"))
            #expect(body["@schemaLocation"] == .string(GuardedCustomerView.schemaLocation))
            if case .individual(let person) = customer.profile.engagedParty {
                #expect(body["name"] == .string("\(person.givenName) \(person.familyName)"))
            }
            let href = try #require(party["href"]?.stringValue)
            #expect(href == "/tmf-api/party/v4/individual/\(customer.id)")
            let followed = try await client.execute(uri: href, method: .get, headers: fixture.headers("csr-toolbox", purpose: "customer-care"))
            #expect(followed.status == .ok, "\(followed.text)")
            #expect(try followed.json()["@type"] == .string("Individual"))
            #expect(try followed.json()["characteristic"] == nil)
            let alias = try await client.execute(
                uri: "/tmf-api/partyManagement/v4/individual/\(customer.id)", method: .get, headers: fixture.headers("csr-toolbox", purpose: "customer-care"))
            #expect(alias.status == .ok && alias.text == followed.text)
            let schema = try await client.execute(uri: GuardedCustomerView.schemaLocation, method: .get)
            #expect(schema.status == .ok)
            #expect(try schema.json()["$defs"]?["PrivacyDecision"] != nil)
        }
    }

    @Test("an organization's references say Organization, and its party lists its legacy id as an externalReference")
    func organizationReferences() async throws {
        let fixture = try await GuardedAPIFixture.make(customerCount: 30)
        let organization = try #require(fixture.customers.first { $0.profile.engagedParty.type == .organization && $0.externalId != nil })
        try await fixture.withServer { client in
            let read = try await client.execute(
                uri: "\(GuardedAPIFixture.api)/customer/\(organization.id)", method: .get, headers: fixture.headers("csr-toolbox", purpose: "customer-care"))
            #expect(try read.json()["engagedParty"]?["@referredType"] == .string("Organization"))
            #expect(try read.json()["engagedParty"]?["href"] == .string("/tmf-api/party/v4/organization/\(organization.id)"))
            let party = try await client.execute(
                uri: "/tmf-api/party/v4/organization/\(organization.id)", method: .get, headers: fixture.headers("csr-toolbox", purpose: "customer-care"))
            #expect(try party.json()["externalReference"]?[0]?["name"] == .string(organization.externalId!))
            let profile = try await client.execute(
                uri: "\(Self.privacy)/partyPrivacyProfile/\(organization.id)", method: .get, headers: fixture.headers("csr-toolbox", purpose: "customer-care"))
            #expect(try profile.json()["applicableForParty"]?["@referredType"] == .string("Organization"))
        }
    }

    @Test("every error body is both an RFC 7807 problem and a TMF Error")
    func errorsForBothKinds() async throws {
        let fixture = try await GuardedAPIFixture.make(customerCount: 1)
        try await fixture.withServer { client in
            let missing = try await client.execute(
                uri: "\(GuardedAPIFixture.api)/customer/no-such-id", method: .get, headers: fixture.headers("csr-toolbox", purpose: "customer-care"))
            #expect(missing.status == .notFound)
            let body = try missing.json()
            #expect(body["@type"] == .string("Error"))
            #expect(body["status"] == .string("404"))
            #expect(body["code"] == .string("not_found"))
            #expect(body["reason"] == .string("Not Found"))
            #expect(body["message"]?.stringValue?.isEmpty == false)
            #expect(body["referenceError"] == body["type"])
            let refused = try await client.execute(
                uri: "\(GuardedAPIFixture.api)/customer/\(fixture.customers[0].id)", method: .get, headers: fixture.headers("bill-calculation", purpose: "direct-marketing"))
            #expect(refused.status == .forbidden)
            #expect(try refused.json()["reason"] == .string("PURPOSE_NOT_ALLOWED_FOR_MODULE"))
        }
    }

    @Test("an agreement created with TMF644's standard body is one resource at its Location, with its signed receipt in agreementAuthorization")
    func standardAgreement() async throws {
        let fixture = try await GuardedAPIFixture.make(customerCount: 12)
        let customer = try #require(fixture.customers.first { c in
            if case .individual(let p) = c.profile.engagedParty, let birth = p.birthDate { return birth < "2000" }
            return false
        })
        let headers = fixture.headers("csr-toolbox", purpose: "customer-care", extra: [.contentType: "application/json"])
        let body = """
            {"@type":"PartyPrivacyAgreement","name":"direct marketing","agreementType":"consent",
             "agreementItem":[{"termOrCondition":[{"id":"direct-marketing"}]}],
             "engagedPartyRole":[{"id":"\(customer.id)","@referredType":"Individual","role":"customer"}],
             "partyPrivacyProfileCharacteristic":[{"name":"direct-marketing","privacyUsagePurpose":"direct-marketing","value":"given"}],
             "channel":"call_centre","agentId":"agent-7"}
            """
        try await fixture.withServer { client in
            let created = try await client.execute(uri: "\(Self.privacy)/partyPrivacyAgreement", method: .post, headers: headers, body: ByteBuffer(string: body))
            #expect(created.status == .created, "\(created.text)")
            let agreement = try created.json()
            let location = try #require(created.headers[.location])
            #expect(agreement["href"] == .string(location))
            #expect(agreement["engagedPartyRole"]?[0]?["id"] == .string(customer.id))
            #expect(agreement["partyPrivacyProfileCharacteristic"]?[0]?["value"] == .string("given"))
            let jws = try #require(agreement["agreementAuthorization"]?[0]?["consentReceipt"]?.stringValue)
            let stored = try await fixture.services.consents.receipts(customerID: customer.id)
            #expect(stored.map(\.jws) == [jws])
            let read = try await client.execute(uri: location, method: .get, headers: fixture.headers("csr-toolbox", purpose: "customer-care"))
            #expect(read.status == .ok, "\(read.text)")
            #expect(try read.json() == agreement)
            // A module without the purpose, or a made-up id, meets the same 404.
            let other = try await client.execute(uri: location, method: .get, headers: fixture.headers("bill-calculation", purpose: "billing"))
            #expect(other.status == .notFound)
            let unknown = try await client.execute(uri: "\(Self.privacy)/partyPrivacyAgreement/no-such", method: .get, headers: fixture.headers("csr-toolbox", purpose: "customer-care"))
            #expect(unknown.status == .notFound)
            let several = body.replacingOccurrences(
                of: #"[{"name":"direct-marketing","privacyUsagePurpose":"direct-marketing","value":"given"}]"#,
                with: #"[{"privacyUsagePurpose":"direct-marketing","value":"withdrawn"},{"privacyUsagePurpose":"loyalty","value":"given"}]"#)
            let refused = try await client.execute(uri: "\(Self.privacy)/partyPrivacyAgreement", method: .post, headers: headers, body: ByteBuffer(string: several))
            #expect(refused.status == .badRequest)
            let after = try await fixture.services.consents.receipts(customerID: customer.id)
            #expect(after.count == 1)
        }
    }

    @Test("the TMF644 operations a policy-driven hub does not offer answer 405 with their reason and what the path allows")
    func refusedOperations() async throws {
        let fixture = try await GuardedAPIFixture.make(customerCount: 1)
        let id = fixture.customers[0].id
        let cases: [(HTTPRequest.Method, String, String)] = [
            (.post, "partyPrivacyProfileSpecification", "GET"),
            (.patch, "partyPrivacyProfileSpecification/consentry-policy", "GET"),
            (.delete, "partyPrivacyProfileSpecification/consentry-policy", "GET"),
            (.post, "partyPrivacyProfile", "GET"),
            (.delete, "partyPrivacyProfile/\(id)", "GET, PATCH"),
            (.patch, "partyPrivacyAgreement/x", "GET"),
            (.delete, "partyPrivacyAgreement/x", "GET"),
        ]
        try await fixture.withServer { client in
            for (method, path, allow) in cases {
                let response = try await client.execute(
                    uri: "\(Self.privacy)/\(path)", method: method, headers: fixture.headers("csr-toolbox", purpose: "customer-care", extra: [.contentType: "application/json"]),
                    body: ByteBuffer(string: "{}"))
                #expect(response.status == .methodNotAllowed, "\(method) \(path): \(response.text)")
                #expect(response.headers[.allow] == allow, "\(method) \(path)")
                #expect((try response.problem().detail ?? "").count > 20, "\(method) \(path) says why")
            }
        }
    }
}
