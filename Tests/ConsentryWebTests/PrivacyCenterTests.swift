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

@Suite("The privacy center through a real server", .serialized)
struct PrivacyCenterTests {
    @Test("demo sign-in: CSRF-checked, a new HttpOnly SameSite=Lax session each time, only its hash stored, ended by sign-out")
    func signInAndSessions() async throws {
        let fixture = try await WebFixture.make()
        let customer = fixture.adult
        try await fixture.withServer { browser in
            let page = try await browser.get("/privacy")
            #expect(page.status == .ok)
            #expect(page.text.contains("action=\"/privacy/sign-in/demo\""))
            let csrfCookie = try #require(browser.setCookies.withLock { $0 }.first { $0.hasPrefix("consentry_csrf=") })
            #expect(csrfCookie.contains("HttpOnly") && csrfCookie.contains("SameSite=Strict"))

            // Without the token, or with another one, nobody is signed in.
            let forged = try await browser.post("/privacy/sign-in/demo", form: [("subject", customer.profile.loginSubject!)])
            #expect(forged.status == .forbidden)
            let wrong = try await browser.post("/privacy/sign-in/demo", form: [("csrf", String(repeating: "A", count: 43)), ("subject", customer.profile.loginSubject!)])
            #expect(wrong.status == .forbidden)
            #expect(browser.cookie("consentry_privacy") == nil)

            let signedIn = try await browser.post("/privacy/sign-in/demo", form: [("csrf", page.csrf!), ("subject", customer.profile.loginSubject!)])
            #expect(signedIn.status == .seeOther && signedIn.location == "/privacy")
            let header = try #require(signedIn.headers[values: .setCookie].first { $0.hasPrefix("consentry_privacy=") })
            #expect(header.contains("HttpOnly") && header.contains("SameSite=Lax") && header.contains("Path=/privacy"))
            #expect(!header.contains("Secure"), "plain HTTP to loopback: a Secure cookie would never come back")
            let first = try #require(browser.cookie("consentry_privacy"))

            // Only the token's SHA-256 is in the database.
            let stored = try await fixture.installation.database.read { db in try db.fetchColumn(Data.self, "SELECT token_hash FROM web_session", []) }
            #expect(stored.contains(Data(SHA256.hash(Array(first.utf8)))))
            if fixture.installation.dataDirectory.databaseURL == nil {
                // The SQLite file and its write-ahead log hold no token.
                for suffix in ["", "-wal"] {
                    let file = (try? Data(contentsOf: URL(fileURLWithPath: fixture.installation.dataDirectory.databasePath + suffix))) ?? Data()
                    #expect(file.range(of: Data(first.utf8)) == nil)
                }
            }

            // Signing in again replaces the session: the old token is worth nothing.
            let again = try await browser.get("/privacy/sign-in")
            _ = try await browser.post("/privacy/sign-in/demo", form: [("csrf", again.csrf!), ("subject", customer.profile.loginSubject!)])
            let second = try #require(browser.cookie("consentry_privacy"))
            #expect(second != first)
            browser.setCookie("consentry_privacy", first)
            #expect(try await browser.get("/privacy").text.contains("action=\"/privacy/sign-in/demo\""))
            browser.setCookie("consentry_privacy", second)
            let overview = try await browser.get("/privacy")
            #expect(overview.text.contains("action=\"/privacy/sign-out\""))

            // Behind a TLS proxy the cookie is Secure.
            let proxied = WebClient(browser.client)
            let proxiedPage = try await proxied.get("/privacy", headers: [HTTPField.Name("X-Forwarded-Proto")!: "https"])
            let proxiedSignIn = try await proxied.post(
                "/privacy/sign-in/demo", form: [("csrf", proxiedPage.csrf!), ("subject", customer.profile.loginSubject!)],
                headers: [HTTPField.Name("X-Forwarded-Proto")!: "https"])
            #expect(proxiedSignIn.headers[values: .setCookie].contains { $0.hasPrefix("consentry_privacy=") && $0.contains("Secure") })

            // Sign-out ends the session on the server, not only in the browser.
            let out = try await browser.post("/privacy/sign-out", form: [("csrf", overview.csrf!)])
            #expect(out.status == .seeOther && out.location == "/privacy?done=signed_out")
            browser.setCookie("consentry_privacy", second)
            #expect(try await browser.get("/privacy/consents").location == "/privacy")
        }
    }

    @Test("every page has a strict CSP, no framing, no caching; assets have hashed names and are cached a year")
    func securityHeaders() async throws {
        let fixture = try await WebFixture.make(customerCount: 12)
        try await fixture.withServer { browser in
            try await fixture.signIn(browser, as: fixture.adult)
            for path in ["/privacy", "/privacy/consents", "/privacy/access", "/privacy/requests", "/privacy/dependants", "/console"] {
                let page = try await browser.get(path)
                #expect(page.status == .ok, "\(path)")
                let csp = try #require(page.headers[.contentSecurityPolicy], "\(path)")
                #expect(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"), "\(path)")
                #expect(page.headers[HTTPField.Name("X-Frame-Options")!] == "DENY")
                #expect(page.headers[.cacheControl] == "no-store")
                #expect(!page.text.contains("<script>") && !page.text.contains(" style=\""), "no inline script or style on \(path)")
            }
            let overview = try await browser.get("/privacy").text
            let stylesheet = try #require(overview.range(of: #"/assets/consentry\.[0-9a-f]{12}\.css"#, options: .regularExpression).map { String(overview[$0]) })
            let asset = try await browser.get(stylesheet)
            #expect(asset.status == .ok && asset.headers[.cacheControl] == "public, max-age=31536000, immutable")
            #expect(asset.headers[.contentType]?.hasPrefix("text/css") == true)
            #expect(try await browser.get("/assets/consentry.000000000000.css").status == .notFound)
            #expect(try await browser.get("/").location == "/privacy")
        }
    }

    @Test("a consent switch: refused without the session's token or from another origin; with it, recorded with a receipt, and the next module read follows")
    func consentSwitch() async throws {
        let fixture = try await WebFixture.make(customerCount: 12)
        let customer = fixture.adult
        try await fixture.withServer { browser in
            try await fixture.signIn(browser, as: customer)
            let page = try await browser.get("/privacy/consents")
            let csrf = try #require(page.csrf)
            #expect(page.text.contains("name=\"purpose\" value=\"direct-marketing\""))

            let before = try await fixture.services.consents.history(customerID: customer.id).count
            #expect(try await browser.post("/privacy/consents", form: [("purpose", "direct-marketing"), ("status", "given")]).status == .forbidden)
            let otherSite = try await browser.post(
                "/privacy/consents", form: [("csrf", csrf), ("purpose", "direct-marketing"), ("status", "given")],
                headers: [.origin: "https://attacker.example"])
            #expect(otherSite.status == .forbidden)
            #expect(try await fixture.services.consents.history(customerID: customer.id).count == before, "a refused form changes nothing")

            let given = try await browser.post("/privacy/consents", form: [("csrf", csrf), ("purpose", "direct-marketing"), ("status", "given")])
            #expect(given.status == .seeOther)
            let location = try #require(given.location)
            #expect(location.hasPrefix("/privacy/consents?done=consent_given&receipt="))
            let email = try #require(customer.profile.emails.first)
            let disclosed = try await fixture.moduleRead(browser, customer: customer, module: "customer-loyalty-management", purpose: "direct-marketing")
            #expect(disclosed.status == .ok && disclosed.text.contains(email))

            let receiptPath = "/privacy/receipts/" + location.split(separator: "receipt=")[1].prefix { $0 != "#" }
            let receipt = try await browser.get(receiptPath)
            #expect(receipt.status == .ok && receipt.headers[.contentType] == "application/jose")
            #expect(receipt.text.split(separator: ".").count == 3, "a compact JWS")

            let withdrawn = try await browser.post("/privacy/consents", form: [("csrf", csrf), ("purpose", "direct-marketing"), ("status", "withdrawn")])
            #expect(withdrawn.location?.hasPrefix("/privacy/consents?done=consent_withdrawn") == true)
            // The very next module read withholds the data, and says why.
            let withheld = try await fixture.moduleRead(browser, customer: customer, module: "customer-loyalty-management", purpose: "direct-marketing")
            #expect(!withheld.text.contains(email) && withheld.text.contains("\"customerReason\":\"CONSENT_WITHDRAWN\""))
            let after = try await browser.get("/privacy/consents?done=consent_withdrawn")
            #expect(after.text.contains("Your consent is withdrawn, effective now."))

            // Someone else cannot fetch the receipt.
            let other = WebClient(browser.client)
            try await fixture.signIn(other, as: fixture.customers.last { $0.id != customer.id && $0.profile.loginSubject != nil }!)
            #expect(try await other.get(receiptPath).status == .notFound)
        }
    }

    @Test("what is held is shown escaped; who read it is listed with the module and purpose; no customer id or login in any link")
    func overviewAndAccess() async throws {
        let fixture = try await WebFixture.make(customerCount: 12)
        var draft = SyntheticCustomers().draft(500)
        if case .individual(var person) = draft.profile.engagedParty {
            person.givenName = "<script>alert(1)</script>"
            person.birthDate = "1980-01-01"
            draft.profile.engagedParty = .individual(person)
        }
        draft.profile.loginSubject = "idp|xss-test"
        let customer = try await fixture.installation.store.create(draft)
        try await fixture.withServer { browser in
            #expect(try await fixture.moduleRead(browser, customer: customer, module: "csr-toolbox", purpose: "customer-care").status == .ok)
            try await fixture.signIn(browser, as: customer)
            let overview = try await browser.get("/privacy")
            #expect(overview.text.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
            #expect(!overview.text.contains("<script>alert(1)"))
            #expect(overview.text.contains("href=\"/privacy/export?format=json\""))

            let access = try await browser.get("/privacy/access")
            #expect(access.text.contains("csr-toolbox") && access.text.contains("Customer care"))
            #expect(access.text.contains("<svg class=\"chart\" role=\"img\""), "the timeline")
            let filtered = try await browser.get("/privacy/access?module=customer-loyalty-management")
            #expect(filtered.text.contains("No system read your data in this selection."))

            let export = try await browser.get("/privacy/export?format=csv")
            #expect(export.headers[.contentDisposition] == "attachment; filename=\"my-data.csv\"")
            #expect(export.text.contains("<script>alert(1)</script>"), "the export is the data as stored, as a download")

            for page in [overview, access, try await browser.get("/privacy/consents"), try await browser.get("/privacy/requests")] {
                let links = page.text.components(separatedBy: "href=\"").dropFirst().map { $0.prefix { $0 != "\"" } }
                for link in links {
                    #expect(!link.contains(customer.id) && !link.contains("xss-test") && !link.contains("idp%7C"), "\(link)")
                }
            }
        }
    }

    @Test("German from Accept-Language, the switch keeps a choice in a cookie; purpose texts come from the policy in that language")
    func languages() async throws {
        let fixture = try await WebFixture.make(customerCount: 12)
        try await fixture.withServer { browser in
            let german = try await browser.get("/privacy", headers: [.acceptLanguage: "de-DE,de;q=0.9,en;q=0.5"])
            #expect(german.text.contains("<html lang=\"de\">") && german.text.contains("Am Datenschutz-Center anmelden"))
            let english = try await browser.get("/privacy", headers: [.acceptLanguage: "fr-FR, en;q=0.3"])
            #expect(english.text.contains("<html lang=\"en\">"))
            let switched = try await browser.get("/privacy/sign-in?lang=de")
            #expect(switched.status == .seeOther && switched.location == "/privacy/sign-in")
            #expect(browser.cookie("consentry_lang") == "de")
            try await fixture.signIn(browser, as: fixture.adult)
            let consents = try await browser.get("/privacy/consents", headers: [.acceptLanguage: "en"])
            #expect(consents.text.contains("Einwilligungen und Widersprüche"))
            #expect(consents.text.contains("Angebote und Neuigkeiten"), "the policy's German name of direct-marketing")
        }
    }

    @Test("a guardian sees their minor dependants and decides their consents; the receipt is theirs to download")
    func dependants() async throws {
        let fixture = try await WebFixture.make(customerCount: 40)
        let minors = fixture.customers.filter { !$0.profile.guardianIDs.isEmpty && ($0.profile.age(at: Date()) ?? 99) < 18 }
        let minor = try #require(minors.first)
        let guardian = try #require(fixture.customers.first { minor.profile.guardianIDs.contains($0.id) })
        try await fixture.withServer { browser in
            try await fixture.signIn(browser, as: guardian)
            let page = try await browser.get("/privacy/dependants")
            #expect(page.text.contains("name=\"dependant\" value=\"\(minor.id)\""))
            let posted = try await browser.post(
                "/privacy/dependants/consents", form: [("csrf", page.csrf!), ("dependant", minor.id), ("purpose", "loyalty"), ("status", "given")])
            let location = try #require(posted.location)
            #expect(location.hasPrefix("/privacy/dependants?done=consent_given&receipt="))
            let history = try await fixture.services.consents.history(customerID: minor.id)
            #expect(history.last?.expressedBy == .guardian && history.last?.purpose == "loyalty")
            #expect(try await browser.get("/privacy/receipts/" + location.split(separator: "receipt=")[1]).status == .ok)

            // Another customer cannot act for the child.
            let stranger = WebClient(browser.client)
            try await fixture.signIn(stranger, as: fixture.customers.first { $0.id != guardian.id && !minor.profile.guardianIDs.contains($0.id) && $0.profile.loginSubject != nil && $0.id != minor.id }!)
            let strangerPage = try await stranger.get("/privacy/dependants")
            let refused = try await stranger.post(
                "/privacy/dependants/consents", form: [("csrf", strangerPage.csrf!), ("dependant", minor.id), ("purpose", "loyalty"), ("status", "withdrawn")])
            #expect(refused.status == .notFound)
        }
    }
}
