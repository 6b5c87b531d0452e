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
        let event = PrivacyEvent(type: .erasure, customerID: "c1", occurredAt: Date()).envelope(sequence: 1)
        #expect(contract.eventViolations(String(decoding: event.bytes, as: UTF8.self)) == [])
        #expect(!contract.eventViolations(#"{"eventType":"CustomerErasureEvent","domain":"customerManagement"}"#).isEmpty)
        #expect(!contract.eventViolations(#"{"eventType":"CustomerDeleteEvent","domain":"customerManagement","eventTime":7}"#).isEmpty)
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
            let schemaLocation = try #require(body["@schemaLocation"]?.stringValue)
            #expect(schemaLocation.hasPrefix("http://") && schemaLocation.hasSuffix(GuardedCustomerView.schemaPath))
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
            let schema = try await client.execute(uri: GuardedCustomerView.schemaPath, method: .get)
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

    @Test("TMF629's and TMF632's hubs take subscriptions, by default to the customer events, and end them")
    func customerHubs() async throws {
        let fixture = try await GuardedAPIFixture.make(customerCount: 1)
        let headers = fixture.headers("csr-toolbox", purpose: nil, extra: [.contentType: "application/json"])
        try await fixture.withServer { client in
            for base in ["/tmf-api/customerManagement/v4", "/tmf-api/party/v4"] {
                let created = try await client.execute(
                    uri: "\(base)/hub", method: .post, headers: headers, body: ByteBuffer(string: #"{"callback":"http://127.0.0.1:9/events"}"#))
                #expect(created.status == .created, "\(created.text)")
                let body = try created.json()
                #expect(body["query"] == .string("eventType=CustomerAttributeValueChangeEvent,CustomerStateChangeEvent,CustomerDeleteEvent"))
                let id = try #require(body["id"]?.stringValue)
                #expect(created.headers[.location] == "\(base)/hub/\(id)")
                let narrowed = try await client.execute(
                    uri: "\(base)/hub", method: .post, headers: headers,
                    body: ByteBuffer(string: #"{"callback":"http://127.0.0.1:9/events","query":"eventType=CustomerDeleteEvent"}"#))
                #expect(try narrowed.json()["query"] == .string("eventType=CustomerDeleteEvent"))
                let ended = try await client.execute(uri: "\(base)/hub/\(id)", method: .delete, headers: headers)
                #expect(ended.status == .noContent)
            }
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

/// TMF632 and TMF629 writes as a standard client makes them.
@Suite("TM Forum writes")
struct TMFWriteTests {
    static let party = "/tmf-api/party/v4"

    @Test("a party created through TMF632 is prospective; TMF629's create with a reference to it makes it the customer, once")
    func partyThenCustomer() async throws {
        let fixture = try await GuardedAPIFixture.make(customerCount: 1)
        let baseHeaders = fixture.headers("customer-order-management", purpose: "order-management", extra: [.contentType: "application/json"])
        let person = """
            {"@type":"Individual","givenName":"Maren","middleName":"Ilse","familyName":"Vogt","birthDate":"1984-03-09T00:00:00Z",
             "languageAbility":[{"languageCode":"de-DE","isFavouriteLanguage":true}],
             "externalReference":[{"name":"LEG-9000001","externalReferenceType":"externalId"}],
             "contactMedium":[{"mediumType":"email","preferred":true,"characteristic":{"emailAddress":"maren.vogt@example.de","contactType":"home"}}],
             "@schemaLocation":"https://example.com/ignored.json"}
            """
        try await fixture.withServer { client in
            var headers = baseHeaders
            let created = try await client.execute(uri: "\(Self.party)/individual", method: .post, headers: headers, body: ByteBuffer(string: person))
            #expect(created.status == .created, "\(created.text)")
            let body = try created.json()
            let id = try #require(body["id"]?.stringValue)
            #expect(created.headers[.location] == "\(Self.party)/individual/\(id)")
            #expect(body["languageAbility"]?[0]?["languageCode"] == .string("de-DE"))
            #expect(body["externalReference"]?[0]?["name"] == .string("LEG-9000001"))
            #expect(body["maskedBirthDate"] == .string("1984-**-**") && body["birthDate"] == nil)
            let stored = try #require(try await fixture.installation.store.customer(id: id))
            #expect(stored.status == .prospective)
            #expect(stored.profile.contactMedium.first?.characteristic.contactType == "home")
            if case .individual(let p) = stored.profile.engagedParty { #expect(p.birthDate == "1984-03-09" && p.preferredLanguage == "de-DE") }

            let reference = #"{"name":"Maren Vogt","engagedParty":{"id":"\#(id)","@referredType":"Individual"}}"#
            let customer = try await client.execute(uri: "\(GuardedAPIFixture.api)/customer", method: .post, headers: headers, body: ByteBuffer(string: reference))
            #expect(customer.status == .created, "\(customer.text)")
            #expect(customer.headers[.location] == "\(GuardedAPIFixture.api)/customer/\(id)")
            #expect(try customer.json()["status"] == .string("active"))
            #expect(try customer.json()["name"] == .string("Maren Vogt"))
            let again = try await client.execute(uri: "\(GuardedAPIFixture.api)/customer", method: .post, headers: headers, body: ByteBuffer(string: reference))
            #expect(again.status == .conflict, "\(again.text)")
            #expect(try again.problem().code == "already_a_customer")
            let nobody = try await client.execute(
                uri: "\(GuardedAPIFixture.api)/customer", method: .post, headers: headers,
                body: ByteBuffer(string: #"{"name":"x","engagedParty":{"id":"no-such-party","@referredType":"Individual"}}"#))
            #expect(nobody.status == .unprocessableContent, "\(nobody.text)")
            #expect(try nobody.problem().issues?.first?.path == "engagedParty.id")
            let withAttributes = try await client.execute(
                uri: "\(GuardedAPIFixture.api)/customer", method: .post, headers: headers,
                body: ByteBuffer(string: #"{"name":"x","engagedParty":{"id":"\#(id)","givenName":"Other"}}"#))
            #expect(withAttributes.status == .badRequest)

            // A merge patch: familyName replaced, middleName removed by null, the rest kept.
            headers[.ifMatch] = "\"2\""
            let patched = try await client.execute(
                uri: "\(Self.party)/individual/\(id)", method: .patch,
                headers: headers.replacing(.contentType, with: "application/merge-patch+json"),
                body: ByteBuffer(string: #"{"familyName":"Vogt-Lenz","middleName":null}"#))
            #expect(patched.status == .ok, "\(patched.text)")
            let after = try #require(try await fixture.installation.store.customer(id: id))
            if case .individual(let p) = after.profile.engagedParty {
                #expect(p.familyName == "Vogt-Lenz" && p.middleName == nil && p.givenName == "Maren" && p.birthDate == "1984-03-09")
            }
            #expect(after.profile.emails == ["maren.vogt@example.de"] && after.status == .active)
            headers[.ifMatch] = "\"3\""
            let required = try await client.execute(
                uri: "\(Self.party)/individual/\(id)", method: .patch, headers: headers, body: ByteBuffer(string: #"{"givenName":null}"#))
            #expect(required.status == .badRequest || required.status == .unprocessableContent, "\(required.text)")
            #expect(try required.problem().issues?.first?.path == "givenName")
            let unknown = try await client.execute(
                uri: "\(Self.party)/individual", method: .post, headers: headers, body: ByteBuffer(string: #"{"givenName":"A","familyName":"B","skill":[]}"#))
            #expect(unknown.status == .badRequest, "\(unknown.text)")
            #expect(try unknown.problem().issues?.first?.path == "skill")
        }
    }

    @Test("a customer PATCH may echo its party reference; another party's is refused")
    func customerMergePatch() async throws {
        let fixture = try await GuardedAPIFixture.make(customerCount: 4)
        let customer = try #require(fixture.customers.first { $0.profile.engagedParty.type == .individual && !$0.profile.emails.isEmpty })
        let baseHeaders = fixture.headers("csr-toolbox", purpose: "customer-care", extra: [.contentType: "application/merge-patch+json", .ifMatch: "\"1\""])
        var media = customer.profile.contactMedium
        let index = try #require(media.firstIndex { $0.mediumType == .email })
        media[index].characteristic.emailAddress = "echoed.reference@example.org"
        let mediaJSON = String(decoding: try JSONEncoder().encode(media), as: UTF8.self)
        try await fixture.withServer { client in
            var headers = baseHeaders
            let uri = "\(GuardedAPIFixture.api)/customer/\(customer.id)"
            let ok = try await client.execute(
                uri: uri, method: .patch, headers: headers,
                body: ByteBuffer(string: #"{"name":"ignored","engagedParty":{"id":"\#(customer.id)","@referredType":"Individual"},"contactMedium":\#(mediaJSON)}"#))
            #expect(ok.status == .ok, "\(ok.text)")
            #expect(ok.text.contains("echoed.reference@example.org"))
            headers[.ifMatch] = "\"2\""
            let other = try await client.execute(uri: uri, method: .patch, headers: headers, body: ByteBuffer(string: #"{"engagedParty":{"id":"someone-else"}}"#))
            #expect(other.status == .unprocessableContent, "\(other.text)")
            #expect(try other.problem().issues?.first?.code == "immutable")
        }
    }

    @Test("DELETE files an erasure request (202) that the officers see; it erases nothing itself, and needs the module to act for customers")
    func deleteFilesErasure() async throws {
        let fixture = try await GuardedAPIFixture.make(customerCount: 3)
        let customer = fixture.customers[0]
        let path = customer.profile.engagedParty.type == .individual ? "individual" : "organization"
        try await fixture.withServer { client in
            let refused = try await client.execute(
                uri: "\(GuardedAPIFixture.api)/customer/\(customer.id)", method: .delete, headers: fixture.headers("customer-order-management", purpose: "order-management"))
            #expect(refused.status == .forbidden)
            let filed = try await client.execute(
                uri: "\(GuardedAPIFixture.api)/customer/\(customer.id)", method: .delete, headers: fixture.headers("csr-toolbox", purpose: "customer-care"))
            #expect(filed.status == .accepted, "\(filed.text)")
            let request = try filed.json()
            #expect(request["type"] == .string("erasure"))
            let requestID = try #require(request["id"]?.stringValue)
            #expect(filed.headers[.location] == "/compliance/v1/requests/\(requestID)")
            let viaParty = try await client.execute(
                uri: "\(TMFWriteTests.party)/\(path)/\(customer.id)", method: .delete, headers: fixture.headers("csr-toolbox", purpose: "customer-care"))
            #expect(viaParty.status == .accepted, "the open request, not a second one")
            #expect(try viaParty.json()["id"] == .string(requestID))
            let officer = try await client.execute(uri: "/compliance/v1/requests/\(requestID)", method: .get, headers: fixture.headers("officer", purpose: nil))
            #expect(officer.status == .ok, "\(officer.text)")
            #expect(try officer.json()["customerId"] == .string(customer.id))
            #expect(try await fixture.installation.store.customer(id: customer.id) != nil, "nothing erased yet")
            let unknown = try await client.execute(
                uri: "\(GuardedAPIFixture.api)/customer/no-such-id", method: .delete, headers: fixture.headers("csr-toolbox", purpose: "customer-care"))
            #expect(unknown.status == .notFound)
        }
    }
}

extension HTTPFields {
    func replacing(_ name: HTTPField.Name, with value: String) -> HTTPFields {
        var copy = self
        copy[name] = value
        return copy
    }
}

/// TMF630 attribute filtering on lists.
@Suite("TM Forum list filters")
struct TMFFilterTests {
    @Test("status= and @type= filter the customer list, on offset and keyset pages; a bad value is a precise 400")
    func filters() async throws {
        let fixture = try await GuardedAPIFixture.make(customerCount: 30)
        // Suspend a few, so that the status filter has something to tell apart.
        let suspended = Set(fixture.customers.prefix(4).map(\.id))
        for id in suspended {
            let customer = try #require(try await fixture.installation.store.customer(id: id))
            _ = try await fixture.installation.store.update(id: id, expectedVersion: customer.version,
                to: CustomerDraft(externalId: customer.externalId, status: .suspended, profile: customer.profile))
        }
        let organizations = Set(fixture.customers.filter { $0.profile.engagedParty.type == .organization }.map(\.id))
        let headers = fixture.headers("csr-toolbox", purpose: "customer-care")
        try await fixture.withServer { client in
            func ids(_ query: String) async throws -> (Set<String>, TestResponse) {
                let response = try await client.execute(uri: "\(GuardedAPIFixture.api)/customer?\(query)", method: .get, headers: headers)
                guard case .array(let items) = try response.json() else { Issue.record("\(response.text)"); return ([], response) }
                return (Set(items.compactMap { $0["id"]?.stringValue }), response)
            }
            let (bySuspension, response) = try await ids("status=suspended&limit=100&fields=id")
            #expect(bySuspension == suspended)
            #expect(response.headers[HTTPField.Name("X-Total-Count")!] == "4")
            let (byType, _) = try await ids("engagedParty.@referredType=Organization&limit=100&fields=id")
            #expect(byType == organizations)
            let (both, _) = try await ids("@type=Customer&status=active&limit=100&fields=id")
            #expect(both == Set(fixture.customers.map(\.id)).subtracting(suspended))
            let (first, page) = try await ids("status=active&limit=10&after=&fields=id")
            #expect(first.count == 10 && first.isDisjoint(with: suspended))
            #expect(page.headers[HTTPField.Name("Link")!]?.contains("status=active") == true)
            let bad = try await client.execute(uri: "\(GuardedAPIFixture.api)/customer?status=sleeping", method: .get, headers: headers)
            #expect(bad.status == .badRequest)
            let party = try await client.execute(uri: "/tmf-api/party/v4/individual?@type=Organization", method: .get, headers: headers)
            #expect(party.status == .badRequest)
        }
    }
}
