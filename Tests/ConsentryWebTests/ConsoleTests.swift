import ConsentryCore
import ConsentryHTTP
import ConsentryCrypto
import ConsentryStorage
import ConsentryStore
import ConsentryTesting
import ConsentryWeb
import Foundation
import HTTPTypes
import HummingbirdTesting
import Synchronization
import Testing

@Suite("The compliance console through a real server", .serialized)
struct ConsoleTests {
    @Test("an officer's key is exchanged for a session; a module's key is refused; an operator sees delivery, not requests")
    func signInAndRoles() async throws {
        let fixture = try await WebFixture.make(customerCount: 6)
        try await fixture.withServer { browser in
            #expect(try await fixture.consoleSignIn(browser, key: fixture.keys["csr-toolbox"]!).status == .unauthorized)
            #expect(try await fixture.consoleSignIn(browser, key: "csk_000000000000_nonsense").status == .unauthorized)
            let officer = try await fixture.consoleSignIn(browser, key: fixture.keys["officer"]!)
            #expect(officer.status == .seeOther && officer.location == "/console/requests")
            #expect(!browser.setCookies.withLock { $0 }.contains { $0.contains(fixture.keys["officer"]!) }, "the key is not kept in a cookie")
            #expect(try await browser.get("/console/requests").status == .ok)
            let audit = try await fixture.installation.database.read { db in
                try db.fetchValue(Int.self, "SELECT COUNT(*) FROM audit_entry WHERE action = 'console.sign_in'", [])
            }
            #expect(audit == 1)

            let ops = WebClient(browser.client)
            #expect(try await fixture.consoleSignIn(ops, key: fixture.keys["operator"]!).location == "/console/events")
            #expect(try await ops.get("/console/events").status == .ok)
            #expect(try await ops.get("/console/requests").status == .forbidden)
            // The privacy center's cookie is not the console's.
            #expect(try await ops.get("/privacy").text.contains("action=\"/privacy/sign-in/demo\""))
        }
    }

    @Test("a customer files an erasure in the privacy center; the officer verifies, starts and carries it out; the customer sees it done")
    func erasureEndToEnd() async throws {
        let fixture = try await WebFixture.make(customerCount: 12)
        let customer = fixture.adult
        try await fixture.withServer { browser in
            try await fixture.signIn(browser, as: customer)
            let requests = try await browser.get("/privacy/requests")
            let filed = try await browser.post("/privacy/requests", form: [("csrf", requests.csrf!), ("type", "erasure"), ("purpose", "")])
            #expect(filed.location == "/privacy/requests?done=request")
            #expect(try await browser.get("/privacy/requests").text.contains("Erase my data"))

            let officer = WebClient(browser.client)
            _ = try await fixture.consoleSignIn(officer, key: fixture.keys["officer"]!)
            let queue = try await officer.get("/console/requests")
            let stored = try #require(try await fixture.services.requests.requests(customerID: customer.id).first { $0.type == .erasure })
            #expect(queue.text.contains("/console/requests/\(stored.id)"))
            var page = try await officer.get("/console/requests/\(stored.id)")
            #expect(!page.text.contains("Carry out erasure"), "not before the identity is verified and work started")
            for status in ["identity_verified", "in_progress"] {
                let moved = try await officer.post("/console/requests/\(stored.id)/status", form: [("csrf", page.csrf!), ("status", status)])
                #expect(moved.location == "/console/requests/\(stored.id)?done=status")
                page = try await officer.get("/console/requests/\(stored.id)")
            }
            #expect(page.text.contains("Carry out erasure"))
            // A forged form is refused and erases nothing.
            #expect(try await officer.post("/console/requests/\(stored.id)/erasure", form: [("csrf", "forged")]).status == .forbidden)
            #expect(try await fixture.services.customers.customer(id: customer.id) != nil)
            let erased = try await officer.post("/console/requests/\(stored.id)/erasure", form: [("csrf", page.csrf!)])
            #expect(erased.location == "/console/requests/\(stored.id)?done=erased")
            #expect(try await fixture.services.customers.customer(id: customer.id) == nil)
            let after = try await officer.get("/console/requests/\(stored.id)?done=erased")
            #expect(after.text.contains("Module acknowledgements"))
            #expect(after.text.contains("completed"), "no module subscribed: the request completes at once")

            // The customer, still in the privacy center, learns it is done; the session ends.
            let done = try await browser.get("/privacy/requests")
            #expect(done.status == .ok && done.text.contains("Your data is erased") && done.text.contains("Completed"))
            #expect(try await browser.get("/privacy/requests").location == "/privacy")
        }
    }

    @Test("extension and rejection need a reason; reports show in the page and download; audit verifies; charts are drawn")
    func workflowReportsAudit() async throws {
        let fixture = try await WebFixture.make(customerCount: 6)
        let customer = fixture.adult
        try await fixture.withServer { officer in
            _ = try await fixture.consoleSignIn(officer, key: fixture.keys["officer"]!)
            var queue = try await officer.get("/console/requests")
            let filed = try await officer.post(
                "/console/requests", form: [("csrf", queue.csrf!), ("customer", customer.id), ("type", "access"), ("channel", "letter")])
            let path = try #require(filed.location?.split(separator: "?").first.map(String.init))
            var page = try await officer.get(path)
            let noReason = try await officer.post(path + "/extension", form: [("csrf", page.csrf!), ("months", "1"), ("reason", "")])
            #expect(noReason.status == .unprocessableContent || noReason.status == .badRequest || noReason.status == .conflict)
            #expect(try await officer.post(path + "/extension", form: [("csrf", page.csrf!), ("months", "1"), ("reason", "complex request")]).location == path + "?done=extended")
            page = try await officer.get(path)
            #expect(page.text.contains("complex request"))
            #expect(try await officer.post(path + "/status", form: [("csrf", page.csrf!), ("status", "rejected"), ("reason", "")]).status != .seeOther)
            #expect(try await officer.post(path + "/status", form: [("csrf", page.csrf!), ("status", "rejected"), ("reason", "manifestly unfounded")]).status == .seeOther)

            queue = try await officer.get("/console/requests")
            #expect(queue.text.contains("Requests received and closed per week"))
            let reports = try await officer.get("/console/reports")
            #expect(reports.status == .ok)
            let ropa = try await officer.get("/console/reports/record-of-processing")
            #expect(ropa.status == .ok && ropa.text.contains("<table class=\"data\">"))
            let csv = try await officer.get("/console/reports/requests?format=csv")
            #expect(csv.headers[.contentType]?.hasPrefix("text/csv") == true && csv.headers[.contentDisposition]?.contains("attachment") == true)
            let access = try await officer.post("/console/reports/access", form: [("csrf", reports.csrf!), ("customer", customer.id)])
            #expect(access.status == .ok && access.text.contains("name=\"format\" value=\"json\""))
            let json = try await officer.post("/console/reports/access", form: [("csrf", reports.csrf!), ("customer", customer.id), ("format", "json")])
            #expect(json.headers[.contentType] == "application/json")

            let audit = try await officer.get("/console/audit?customer=\(customer.id)")
            #expect(audit.text.contains("request.status"))
            let verified = try await officer.post("/console/audit/verify", form: [("csrf", audit.csrf!)])
            #expect(verified.text.contains("<strong>Intact.</strong>"))
        }
    }
}
