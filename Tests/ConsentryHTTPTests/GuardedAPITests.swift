import ConsentryCore
import ConsentryHTTP
import ConsentryPolicy
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

@Suite("Guarded data API, end to end over HTTP")
struct GuardedAPITests {
    static let api = GuardedAPIFixture.api

    @Test("withdrawing consent makes the very next read for that purpose withhold the fields")
    func consentWithdrawal() async throws {
        let fixture = try await GuardedAPIFixture.make()
        let customer = fixture.customers[4]
        let email = customer.profile.emails[0]
        try await fixture.services.consents.record([ConsentEvent(customerID: customer.id, purpose: "direct-marketing", kind: .given, channel: .web)])
        try await fixture.withServer { client in
            let headers = fixture.headers("customer-loyalty-management", purpose: "direct-marketing")
            let before = try await client.execute(uri: "\(Self.api)/customer/\(customer.id)", method: .get, headers: headers)
            #expect(before.status == .ok)
            #expect(before.text.contains(email))
            try await fixture.services.consents.record([ConsentEvent(customerID: customer.id, purpose: "direct-marketing", kind: .withdrawn, channel: .app)])
            let after = try await client.execute(uri: "\(Self.api)/customer/\(customer.id)", method: .get, headers: headers)
            #expect(after.status == .ok)
            #expect(!after.text.contains(email))
            #expect(!after.text.contains(customer.profile.phoneNumbers.first ?? "-"))
            let decision = try after.json()["privacyDecision"]
            #expect(decision?["customerReason"] == .string("CONSENT_WITHDRAWN"))
            #expect(decision?["outcome"] == .string("denied"))
        }
    }

    @Test("withheld and masked values never leave in plain; the response names them with reasons")
    func maskingAndWithholding() async throws {
        let fixture = try await GuardedAPIFixture.make()
        let customer = try #require(fixture.customers.first { c in
            if case .individual(let p) = c.profile.engagedParty { return p.birthDate != nil && !p.individualIdentification.isEmpty && p.gender != nil }
            return false
        })
        guard case .individual(let person) = customer.profile.engagedParty else { return }
        try await fixture.withServer { client in
            let response = try await client.execute(
                uri: "\(Self.api)/customer/\(customer.id)", method: .get, headers: fixture.headers("csr-toolbox", purpose: "customer-care"))
            #expect(response.status == .ok)
            #expect(response.headers[.eTag] == "\"1\"")
            // customer-care: birth date and national id masked, gender not in the purpose.
            #expect(!response.text.contains(person.birthDate!))
            #expect(response.text.contains(String(person.birthDate!.prefix(4)) + "-**-**"))
            #expect(!response.text.contains(person.individualIdentification[0].identificationId))
            let body = try response.json()
            #expect(body["engagedParty"]?["gender"] == nil)
            let withheld = body["privacyDecision"]?["withheld"]
            #expect(withheld.map { "\($0)" }?.contains("engagedParty.gender") == true)
            #expect(body["privacyDecision"]?["masked"] == .array([.string("engagedParty.birthDate"), .string("engagedParty.individualIdentification"), .string("loginSubject")]))
            #expect(body["engagedParty"]?["givenName"] == .string(person.givenName))
        }
    }

    @Test("every read is audited before the response, with the response's request id, and the trail verifies")
    func auditBeforeResponse() async throws {
        let fixture = try await GuardedAPIFixture.make()
        try await fixture.withServer { client in
            let before = try await fixture.auditCount()
            let response = try await client.execute(
                uri: "\(Self.api)/customer?limit=5", method: .get, headers: fixture.headers("csr-toolbox", purpose: "customer-care"))
            #expect(response.status == .ok)
            #expect(response.headers[HTTPField.Name("X-Total-Count")!] == "12")
            #expect(response.headers[HTTPField.Name("X-Result-Count")!] == "5")
            let requestID = try #require(response.headers[HTTPField.Name("X-Request-Id")!])
            // The entries are durable by the time the response arrived.
            let rows = try await fixture.installation.database.read { db in
                try db.fetchAll("SELECT * FROM audit_entry WHERE request_id = ?", [requestID])
            }
            #expect(rows.count == 5)
            #expect(try await fixture.auditCount() == before + 5)
            for row in rows {
                let actor: String = row["actor_kind"], module: String = row["actor_id"], purpose: String = row["purpose"]
                #expect(actor == "module" && module == "csr-toolbox" && purpose == "customer-care")
                let version: String = row["policy_version"]
                #expect(version == fixture.services.policies.policy.version)
                #expect((row["fields"] as String).contains("loginSubject:masked"))
            }
            // A refusal is audited too.
            let denied = try await client.execute(
                uri: "\(Self.api)/customer/\(fixture.customers[0].id)", method: .get, headers: fixture.headers("csr-toolbox", purpose: "direct-marketing"))
            #expect(denied.status == .forbidden)
            let reasons = try await fixture.installation.database.read { db in
                try db.fetchValue(String.self, "SELECT reasons FROM audit_entry WHERE action = 'access.denied' AND customer_id = ?", [fixture.customers[0].id])
            }
            #expect(reasons == "PURPOSE_NOT_ALLOWED_FOR_MODULE")
            // Decisions are counted by module, purpose and outcome; an unknown purpose is never echoed.
            _ = try await client.execute(uri: "\(Self.api)/customer?limit=1", method: .get, headers: fixture.headers("csr-toolbox", purpose: "x-secret-text"))
            let metrics = try await client.execute(uri: "/metrics", method: .get).text
            let careDecisions = metrics.split(separator: "\n")
                .filter { $0.hasPrefix(#"consentry_decisions_total{module="csr-toolbox",purpose="customer-care","#) }
                .compactMap { Int($0.split(separator: " ").last ?? "") }
            #expect(careDecisions.reduce(0, +) == 5)
            #expect(metrics.contains(#"consentry_decisions_total{module="csr-toolbox",purpose="direct-marketing",outcome="refused"} 1"#))
            #expect(metrics.contains(#"purpose="unknown",outcome="refused"} 1"#) && !metrics.contains("x-secret-text"))
        }
        let report = try await AuditVerifier(database: fixture.installation.database, keys: fixture.installation.keys).verify()
        #expect(report.isIntact && report.entries >= 6)
    }

    @Test("a keyset list (after=) walks every customer once, in the offset list's order, without a total; offset and after together are refused (#12)")
    func keysetPages() async throws {
        let fixture = try await GuardedAPIFixture.make()
        try await fixture.withServer { client in
            let headers = fixture.headers("csr-toolbox", purpose: "customer-care")
            let all = try await client.execute(uri: "\(Self.api)/customer?limit=100&fields=id", method: .get, headers: headers)
            guard case .array(let listed) = try all.json() else { Issue.record("not a list"); return }
            let expected = listed.compactMap { $0["id"]?.stringValue }
            #expect(expected.count == 12)
            var seen: [String] = []
            var after = ""
            var pages = 0
            while pages < 20 {
                pages += 1
                let page = try await client.execute(uri: "\(Self.api)/customer?limit=5&fields=id&after=\(after)", method: .get, headers: headers)
                #expect(page.status == .ok)
                #expect(page.headers[HTTPField.Name("X-Total-Count")!] == nil, "a keyset page does not count")
                guard case .array(let items) = try page.json() else { break }
                seen += items.compactMap { $0["id"]?.stringValue }
                guard let next = page.headers[HTTPField.Name("X-Next-Cursor")!] else { break }
                #expect(page.headers[HTTPField.Name("Link")!]?.contains("after=\(next)") == true)
                after = next
            }
            #expect(seen == expected)
            #expect(pages == 3)
            let both = try await client.execute(uri: "\(Self.api)/customer?offset=5&after=x", method: .get, headers: headers)
            #expect(both.status == .badRequest)
            let individuals = try await client.execute(uri: "/tmf-api/partyManagement/v4/individual?limit=100&after=&fields=id", method: .get, headers: headers)
            #expect(individuals.status == .ok && individuals.headers[HTTPField.Name("X-Result-Count")!] != nil)
        }
    }

    @Test("search by email, phone and national id goes through the blind index; the purpose must cover the category")
    func search() async throws {
        let fixture = try await GuardedAPIFixture.make()
        let target = fixture.customers[5]
        try await fixture.withServer { client in
            let headers = fixture.headers("csr-toolbox", purpose: "customer-care")
            for (name, value) in [("email", target.profile.emails[0].uppercased()), ("phone", target.profile.phoneNumbers[0]), ("nationalId", target.profile.identificationNumbers.first)] {
                guard let value else { continue }
                let encoded = value.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
                let response = try await client.execute(uri: "\(Self.api)/customer?\(name)=\(encoded)", method: .get, headers: headers)
                #expect(response.status == .ok, "\(name)")
                guard case .array(let items) = try response.json() else { Issue.record("not an array"); continue }
                #expect(items.map { $0["id"] } == [.string(target.id)], "\(name)")
            }
            let none = try await client.execute(uri: "\(Self.api)/customer?email=nobody%40example.com", method: .get, headers: headers)
            #expect(none.text == "[]" && none.headers[HTTPField.Name("X-Total-Count")!] == "0")
            // credit-assessment does not use email addresses: searching by one would use it.
            let refused = try await client.execute(
                uri: "\(Self.api)/customer?email=x%40example.com", method: .get, headers: fixture.headers("customer-order-management", purpose: "credit-assessment"))
            #expect(refused.status == .forbidden)
            #expect(try refused.problem().reason == "CATEGORY_NOT_IN_PURPOSE")
        }
    }

    @Test("module writes stay inside their grants: status has a category, create is scoped by the purpose, the customer's restriction stops updates (#11 finding 4)")
    func writesInsideGrants() async throws {
        let fixture = try await GuardedAPIFixture.make()
        let customer = fixture.customers[6]
        let restricted = fixture.customers[7]
        try await fixture.services.selfManagement.restrict(customer: restricted, restricting: true, channel: .web, requestID: "test")
        let before = try await fixture.installation.store.count()
        try await fixture.withServer { client in
            var headers = fixture.headers("csr-toolbox", purpose: "customer-care", extra: [.contentType: "application/json"])
            headers[.ifMatch] = "\"1\""
            // Closing a customer starts retention clocks: csr-toolbox's grant has no user.account.status.
            let close = try await client.execute(
                uri: "\(Self.api)/customer/\(customer.id)", method: .patch, headers: headers, body: ByteBuffer(string: #"{"status":"closed"}"#))
            #expect(close.status == .forbidden && (try? close.problem().reason) == "CATEGORY_NOT_UPDATABLE", "\(close.text)")
            // A restricted customer's contact details are not the module's to change (the customer can, through /self).
            var media = restricted.profile.contactMedium
            let emailIndex = try #require(media.firstIndex { $0.mediumType == .email })
            media[emailIndex].characteristic.emailAddress = "changed.while.restricted@example.org"
            let update = try await client.execute(
                uri: "\(Self.api)/customer/\(restricted.id)", method: .patch, headers: headers,
                body: ByteBuffer(string: String(decoding: try JSONEncoder().encode(["contactMedium": media]), as: UTF8.self)))
            #expect(update.status == .forbidden && (try? update.problem().reason) == "RESTRICTED", "\(update.text)")
            // Onboarding may not set a login subject (user.account.username is not order-management's).
            var draft = SyntheticCustomers().draft(78).forOnboarding
            draft.profile.loginSubject = customer.profile.loginSubject ?? "idp|someone-else"
            let create = try await client.execute(
                uri: "\(Self.api)/customer", method: .post,
                headers: fixture.headers("customer-order-management", purpose: "order-management", extra: [.contentType: "application/json"]),
                body: ByteBuffer(bytes: try SyntheticCustomers.jsonLine(draft)))
            #expect(create.status == .forbidden && (try? create.problem().reason) == "CATEGORY_NOT_IN_PURPOSE", "\(create.text)")
        }
        #expect(try await fixture.installation.store.customer(id: customer.id)?.status == .active)
        #expect(try await fixture.installation.store.customer(id: restricted.id)?.profile.contactMedium == restricted.profile.contactMedium)
        #expect(try await fixture.installation.store.count() == before)
    }

    @Test("search and list leave out customers whose state stops the purpose; a no-op PATCH changes nothing (#11 finding 10)")
    func stoppedCustomersAndNoOpPatch() async throws {
        let fixture = try await GuardedAPIFixture.make()
        let restricted = try #require(fixture.customers.first { !$0.profile.emails.isEmpty })
        try await fixture.services.selfManagement.restrict(customer: restricted, restricting: true, channel: .web, requestID: "test")
        let other = try #require(fixture.customers.first { $0.id != restricted.id && !$0.profile.emails.isEmpty })
        try await fixture.withServer { client in
            let care = fixture.headers("csr-toolbox", purpose: "customer-care")
            let email = restricted.profile.emails[0].addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            let search = try await client.execute(uri: "\(Self.api)/customer?email=\(email)", method: .get, headers: care)
            #expect(search.status == .ok && search.text == "[]", "\(search.text)")
            let list = try await client.execute(uri: "\(Self.api)/customer?limit=100", method: .get, headers: care)
            #expect(!list.text.contains(restricted.id) && list.text.contains(other.id))
            let byID = try await client.execute(uri: "\(Self.api)/customer/\(restricted.id)", method: .get, headers: care)
            #expect(byID.text.contains("RESTRICTED"), "a read by id still says why")

            var headers = fixture.headers("csr-toolbox", purpose: "customer-care", extra: [.contentType: "application/json"])
            headers[.ifMatch] = "\"1\""
            let same = String(decoding: try JSONEncoder().encode(["contactMedium": other.profile.contactMedium]), as: UTF8.self)
            let patch = try await client.execute(uri: "\(Self.api)/customer/\(other.id)", method: .patch, headers: headers, body: ByteBuffer(string: same))
            #expect(patch.status == .ok && patch.headers[.eTag] == "\"1\"", "\(patch.status) \(String(describing: patch.headers[.eTag]))")
        }
        #expect(try await fixture.installation.store.customer(id: other.id)?.version == 1)
        let (events, unchanged) = try await fixture.installation.database.read { db in
            (try db.fetchValue(Int.self, "SELECT COUNT(*) FROM event_outbox WHERE customer_id = ? AND type = 'CustomerAttributeValueChangeEvent'", [other.id])!,
             try db.fetchValue(Int.self, "SELECT COUNT(*) FROM audit_entry WHERE customer_id = ? AND action = 'customer.update' AND outcome = 'unchanged'", [other.id])!)
        }
        #expect(events == 0 && unchanged == 1)
    }

    @Test("search by POST body finds like the query string, and the value never appears in the URL (#11 finding 10)")
    func searchByBody() async throws {
        let fixture = try await GuardedAPIFixture.make()
        let customer = try #require(fixture.customers.first { !$0.profile.emails.isEmpty })
        try await fixture.withServer { client in
            let headers = fixture.headers("csr-toolbox", purpose: "customer-care", extra: [.contentType: "application/json"])
            let found = try await client.execute(
                uri: "\(Self.api)/customer/search?fields=contactMedium", method: .post, headers: headers,
                body: ByteBuffer(string: #"{"email":"\#(customer.profile.emails[0].uppercased())"}"#))
            #expect(found.status == .ok && found.text.contains(customer.id), "\(found.text)")
            #expect(found.headers[HTTPField.Name("X-Total-Count")!] == "1")
            for bad in [#"{}"#, #"{"email":"a@b.c","phone":"+4930123"}"#, #"{"shoeSize":"44"}"#, #"{"email":""}"#] {
                let refused = try await client.execute(uri: "\(Self.api)/customer/search", method: .post, headers: headers, body: ByteBuffer(string: bad))
                #expect(refused.status == .badRequest, "\(bad): \(refused.status)")
            }
            let billing = try await client.execute(
                uri: "\(Self.api)/customer/search", method: .post,
                headers: fixture.headers("bill-calculation", purpose: "billing", extra: [.contentType: "application/json"]),
                body: ByteBuffer(string: #"{"email":"\#(customer.profile.emails[0])"}"#))
            #expect(billing.status == .forbidden, "bill-calculation may not search")
        }
        let audited = try await fixture.installation.database.read { db in
            try db.fetchValue(String.self, "SELECT fields FROM audit_entry WHERE action = 'customer.search' AND customer_id = ?", [customer.id])
        }
        #expect(audited?.contains("searchedBy:contactMedium.email") == true)
    }

    @Test("a login subject signs in one customer: a second one is refused at create, update and import (#11 finding 4)")
    func uniqueLoginSubject() async throws {
        let fixture = try await GuardedAPIFixture.make(customerCount: 3)
        let store = fixture.installation.store
        let taken = try #require(fixture.customers.compactMap(\.profile.loginSubject).first)
        var twin = SyntheticCustomers().draft(500)
        twin.externalId = "twin-1"
        twin.profile.loginSubject = taken
        await #expect(throws: StoreError.self) { _ = try await store.create(twin) }
        twin.profile.loginSubject = "idp|fresh-subject"
        let created = try await store.create(twin)
        var changed = created.profile
        changed.loginSubject = taken
        await #expect(throws: StoreError.self) {
            _ = try await store.update(id: created.id, expectedVersion: created.version, to: CustomerDraft(externalId: created.externalId, status: created.status, profile: changed))
        }
        // The import refuses the row, names it, and imports the rest.
        let file = fixture.installation.directory.file("twins.jsonl")
        var other = SyntheticCustomers().draft(501)
        other.externalId = "twin-2"
        other.profile.loginSubject = taken
        var fine = SyntheticCustomers().draft(502)
        fine.externalId = "twin-3"
        fine.profile.loginSubject = "idp|another-fresh-subject"
        let lines = try [other, fine].map { String(decoding: try SyntheticCustomers.jsonLine($0), as: UTF8.self) }.joined(separator: "\n")
        try lines.write(toFile: file, atomically: true, encoding: .utf8)
        let report = try await CustomerImporter(store: store).run(path: file)
        #expect(report.imported == 1 && report.rejected == 1, "\(report)")
        let rejects = try String(contentsOfFile: try #require(report.rejectsPath), encoding: .utf8)
        #expect(rejects.contains("\"line\":1") && rejects.contains("duplicate_login_subject") && !rejects.contains(taken))
        #expect(try await store.customers(where: .loginSubject, equals: taken).count == 1)
    }

    @Test("PATCH needs If-Match, refuses stale versions and categories the module may not update, and re-indexes")
    func patch() async throws {
        let fixture = try await GuardedAPIFixture.make()
        let customer = fixture.customers[6]
        let uri = "\(Self.api)/customer/\(customer.id)"
        var media = customer.profile.contactMedium
        let emailIndex = try #require(media.firstIndex { $0.mediumType == .email })
        media[emailIndex].characteristic.emailAddress = "corrected.address@example.org"
        let body = String(decoding: try JSONEncoder().encode(["contactMedium": media]), as: UTF8.self)
        try await fixture.withServer { client in
            var headers = fixture.headers("csr-toolbox", purpose: "customer-care", extra: [.contentType: "application/json"])
            let missing = try await client.execute(uri: uri, method: .patch, headers: headers, body: ByteBuffer(string: body))
            #expect(missing.status == .preconditionRequired)
            headers[.ifMatch] = "\"7\""
            let stale = try await client.execute(uri: uri, method: .patch, headers: headers, body: ByteBuffer(string: body))
            #expect(stale.status == .preconditionFailed)
            // billing-account-management may correct email and address, not names.
            var renamed = customer.profile.engagedParty
            if case .individual(var p) = renamed { p.givenName = "Renamed"; renamed = .individual(p) } else if case .organization(var o) = renamed { o.name = "Renamed"; renamed = .organization(o) }
            let rename = String(decoding: try JSONEncoder().encode(["engagedParty": renamed]), as: UTF8.self)
            var billing = fixture.headers("billing-account-management", purpose: "billing", extra: [.contentType: "application/json"])
            billing[.ifMatch] = "\"1\""
            let forbidden = try await client.execute(uri: uri, method: .patch, headers: billing, body: ByteBuffer(string: rename))
            #expect(forbidden.status == .forbidden)
            #expect(try forbidden.problem().reason == "CATEGORY_NOT_UPDATABLE")
            headers[.ifMatch] = "\"1\""
            let ok = try await client.execute(uri: uri, method: .patch, headers: headers, body: ByteBuffer(string: body))
            #expect(ok.status == .ok, "\(ok.text)")
            #expect(ok.headers[.eTag] == "\"2\"")
            #expect(ok.text.contains("corrected.address@example.org"))
            let again = try await client.execute(uri: uri, method: .patch, headers: headers, body: ByteBuffer(string: body))
            #expect(again.status == .preconditionFailed)
            let search = fixture.headers("csr-toolbox", purpose: "customer-care")
            let found = try await client.execute(uri: "\(Self.api)/customer?email=corrected.address%40example.org", method: .get, headers: search)
            #expect(found.text.contains(customer.id))
            let old = customer.profile.emails[0].addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            let gone = try await client.execute(uri: "\(Self.api)/customer?email=\(old)", method: .get, headers: search)
            #expect(gone.text == "[]")
        }
        let fields = try await fixture.installation.database.read { db in
            try db.fetchValue(String.self, "SELECT fields FROM audit_entry WHERE action = 'customer.update' AND customer_id = ?", [customer.id])
        }
        #expect(fields == "contactMedium.email")
    }

    @Test("onboarding creates a customer and answers 201 with Location and what the purpose may see")
    func create() async throws {
        let fixture = try await GuardedAPIFixture.make(customerCount: 1)
        let draft = SyntheticCustomers().draft(77).forOnboarding
        try await fixture.withServer { client in
            let response = try await client.execute(
                uri: "\(Self.api)/customer", method: .post,
                headers: fixture.headers("customer-order-management", purpose: "order-management", extra: [.contentType: "application/json"]),
                body: ByteBuffer(bytes: try SyntheticCustomers.jsonLine(draft)))
            #expect(response.status == .created, "\(response.text)")
            let location = try #require(response.headers[.location])
            let id = String(location.split(separator: "/").last!)
            #expect(try await fixture.installation.store.customer(id: id)?.profile == draft.profile.withMediumIds)
            let duplicate = try await client.execute(
                uri: "\(Self.api)/customer", method: .post,
                headers: fixture.headers("customer-order-management", purpose: "order-management", extra: [.contentType: "application/json"]),
                body: ByteBuffer(bytes: try SyntheticCustomers.jsonLine(draft)))
            #expect(duplicate.status == .conflict)
        }
    }

    @Test("text the caller controls is neither echoed in errors nor written into the audit trail")
    func callerTextNotEchoed() async throws {
        let fixture = try await GuardedAPIFixture.make(customerCount: 1)
        let long = String(repeating: "x", count: 10_000)
        try await fixture.withServer { client in
            let fields = try await client.execute(
                uri: "\(Self.api)/customer?fields=\(long)", method: .get, headers: fixture.headers("csr-toolbox", purpose: "customer-care"))
            #expect(fields.status == .badRequest)
            #expect(!fields.text.contains("xxxxxxxxxx"))
            let parameter = try await client.execute(
                uri: "\(Self.api)/customer?\(long)=1", method: .get, headers: fixture.headers("csr-toolbox", purpose: "customer-care"))
            #expect(parameter.status == .badRequest && !parameter.text.contains("xxxxxxxxxx"))
            let purpose = try await client.execute(
                uri: "\(Self.api)/customer/\(long)", method: .get, headers: fixture.headers("csr-toolbox", purpose: long))
            #expect(purpose.status == .forbidden && !purpose.text.contains("xxxxxxxxxx"))
        }
        let stored = try await fixture.installation.database.read { db in
            try db.fetchAll("SELECT * FROM audit_entry").map(\.description).joined()
        }
        #expect(!stored.contains("xxxxxxxxxx"), "the audit trail holds no caller text")
        #expect(stored.contains("purpose:'unknown'"))
    }

    @Test("a body in another media type is 415 and a key given twice is 400; neither changes anything")
    func ambiguousBodies() async throws {
        let fixture = try await GuardedAPIFixture.make(customerCount: 1)
        try await fixture.withServer { client in
            let before = try await fixture.installation.store.count()
            let draft = ByteBuffer(bytes: try SyntheticCustomers.jsonLine(SyntheticCustomers().draft(40)))
            let plain = try await client.execute(
                uri: "\(Self.api)/customer", method: .post,
                headers: fixture.headers("customer-order-management", purpose: "order-management", extra: [.contentType: "text/plain"]), body: draft)
            #expect(plain.status == .unsupportedMediaType)
            #expect(try plain.problem().code == "unsupported_media_type")
            let none = try await client.execute(
                uri: "\(Self.api)/customer", method: .post, headers: fixture.headers("customer-order-management", purpose: "order-management"), body: draft)
            #expect(none.status == .unsupportedMediaType)
            #expect(try await fixture.installation.store.count() == before)
            let twice = try await client.execute(
                uri: "\(Self.api)/customer", method: .post,
                headers: fixture.headers("customer-order-management", purpose: "order-management", extra: [.contentType: "application/json"]),
                body: ByteBuffer(string: #"{"externalId":"X-1","externalId":"X-2","engagedParty":{"@type":"Individual","givenName":"A","familyName":"B"}}"#))
            #expect(twice.status == .badRequest)
            let problem = try twice.problem()
            #expect(problem.issues?.first?.path == "externalId" && problem.issues?.first?.code == "duplicate_key")
            #expect(try await fixture.installation.store.count() == before)
        }
    }

    @Test("bad requests get precise problem details", arguments: [
        ("missing purpose", "/customer?limit=1", nil as String?, HTTPResponse.Status.badRequest, "purpose_required"),
        ("unknown purpose", "/customer?limit=1", "astrology", .forbidden, "access_denied"),
        ("unknown field", "/customer?fields=shoeSize", "customer-care", .badRequest, "invalid_parameter"),
        ("unknown parameter", "/customer?colour=blue", "customer-care", .badRequest, "invalid_parameter"),
        ("limit zero", "/customer?limit=0", "customer-care", .badRequest, "invalid_parameter"),
        ("limit too large", "/customer?limit=100000", "customer-care", .badRequest, "invalid_parameter"),
        ("two searches", "/customer?email=a%40b.c&phone=%2B441", "customer-care", .badRequest, "invalid_parameter"),
        ("unknown id", "/customer/00000000-0000-7000-8000-000000000000", "customer-care", .notFound, "not_found"),
    ])
    func badRequests(name: String, path: String, purpose: String?, status: HTTPResponse.Status, code: String) async throws {
        let fixture = try await GuardedAPIFixture.make(customerCount: 2)
        try await fixture.withServer { client in
            let response = try await client.execute(uri: Self.api + path, method: .get, headers: fixture.headers("csr-toolbox", purpose: purpose))
            #expect(response.status == status, "\(response.text)")
            #expect(try response.problem().code == code)
        }
    }

    @Test("bad bodies: malformed, unknown key, invalid value, oversized")
    func badBodies() async throws {
        let fixture = try await GuardedAPIFixture.make(customerCount: 1)
        let headers = fixture.headers("customer-order-management", purpose: "order-management", extra: [.contentType: "application/json"])
        try await fixture.withServer { client in
            let cases: [(String, HTTPResponse.Status, String)] = [
                ("{not json", .badRequest, "malformed_body"),
                (#"{"engagedParty":{"@type":"Individual","givenName":"A","familyName":"B"},"shoeSize":44}"#, .badRequest, "malformed_body"),
                (#"{"engagedParty":{"@type":"Individual","givenName":"A","familyName":"B"},"contactMedium":[{"mediumType":"email","characteristic":{"emailAddress":"not-an-email"}}]}"#,
                 .unprocessableContent, "validation_failed"),
                ("{\"engagedParty\":{\"@type\":\"Individual\",\"givenName\":\"" + String(repeating: "x", count: 70_000) + "\",\"familyName\":\"B\"}}", .contentTooLarge, "body_too_large"),
            ]
            let before = try await fixture.installation.store.count()
            for (body, status, code) in cases {
                let response = try await client.execute(uri: "\(Self.api)/customer", method: .post, headers: headers, body: ByteBuffer(string: body))
                #expect(response.status == status, "\(body.prefix(60)): \(response.text.prefix(300))")
                #expect(try response.problem().code == code, "\(response.text.prefix(300))")
                #expect(!response.text.contains("not-an-email"))
            }
            #expect(try await fixture.installation.store.count() == before)
        }
    }

    @Test("the audience of a consent purpose is exactly the customers with a valid consent, page by page")
    func audience() async throws {
        let fixture = try await GuardedAPIFixture.make()
        let consenting = Set(fixture.customers.enumerated().filter { $0.offset % 3 == 0 }.map(\.element.id))
        try await fixture.services.consents.record(fixture.customers.map { customer in
            ConsentEvent(customerID: customer.id, purpose: "loyalty", kind: consenting.contains(customer.id) ? .given : .refused, channel: .retail)
        })
        try await fixture.services.consents.record([ConsentEvent(customerID: fixture.customers[0].id, purpose: nil, kind: .restriction, channel: .web)])
        let expected = consenting.subtracting([fixture.customers[0].id])
        try await fixture.withServer { client in
            var seen: [String] = []
            var after: String?
            repeat {
                let uri = "\(Self.api)/audience?limit=1" + (after.map { "&after=\($0)" } ?? "")
                let response = try await client.execute(uri: uri, method: .get, headers: fixture.headers("customer-loyalty-management", purpose: "loyalty"))
                #expect(response.status == .ok)
                guard case .array(let items) = try response.json() else { break }
                seen += items.compactMap { $0["id"]?.stringValue }
                after = response.headers[HTTPField.Name("X-Next-Cursor")!]
            } while after != nil && seen.count < 50
            #expect(Set(seen) == expected)
            #expect(seen.count == expected.count)
        }
    }

    @Test("an admin reload of a broken policy answers 422 with file:line:column and keeps the old policy")
    func adminReload() async throws {
        let directory = try TemporaryDirectory()
        for name in ["categories.yaml", "purposes.yaml", "modules.yaml"] {
            try FileManager.default.copyItem(atPath: RepositoryFixtures.policiesDirectory + "/" + name, toPath: directory.file(name))
        }
        let installation = try await TestInstallation.make()
        let services = try await TestServices.make(installation, policies: try .init(directory: directory.path))
        let token = try await services.apiKeys.create(for: Principal(kind: .operator, id: "ops")).token
        let version = services.policies.policy.version
        try "modules:\n  csr-toolbox:\n    applicationType: CSR Toolbox\n    purposes: [customer-care]\n    operations: {read: yes}\n"
            .write(toFile: directory.file("modules.yaml"), atomically: true, encoding: .utf8)
        let app = buildApplication(services: services, settings: ServerSettings(port: 0))
        try await app.test(.live) { client in
            let response = try await client.execute(uri: "/admin/v1/policy/reload", method: .post, headers: [.authorization: "Bearer \(token)"])
            #expect(response.status == .unprocessableContent)
            let problem = try response.problem()
            #expect(problem.issues?.first?.path == "modules.yaml:5:24")
            #expect(problem.issues?.first?.message.contains("true or false") == true)
            #expect(services.policies.policy.version == version)
        }
        withExtendedLifetime((installation, directory)) {}
    }
}

extension CustomerProfile {
    var withMediumIds: CustomerProfile {
        var copy = self
        copy.contactMedium = PersonalFieldCodec.withMediumIds(contactMedium)
        return copy
    }
}
