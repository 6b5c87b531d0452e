import ConsentryCore
import ConsentryHTTP
import ConsentryCrypto
import ConsentryStorage
import ConsentryStore
import ConsentryTesting
import ConsentryWeb
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing

@Suite("Privacy center sign-in through an OpenID Connect provider on loopback", .serialized)
struct OpenIDSignInTests {
    /// Runs the provider and Consentry (configured for it) on loopback.
    func withProvider(_ body: @Sendable (WebFixture, TestOpenIDProvider, any TestClientProtocol, WebClient) async throws -> Void) async throws {
        let fixture = try await WebFixture.make(customerCount: 6)
        let provider = try await TestOpenIDProvider.make()
        let providerApp = Application(router: provider.router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await providerApp.test(.live) { providerClient in
            let issuer = "http://127.0.0.1:\(providerClient.port!)"
            provider.issuer.withLock { $0 = issuer }
            let settings = WebSettings(openID: OpenIDSettings(
                issuer: issuer, clientID: provider.clientID, redirectURL: "http://localhost/privacy/sign-in/callback"))
            try await fixture.withServer(settings: settings) { browser in try await body(fixture, provider, providerClient, browser) }
        }
    }

    /// Follows a sign-in: Consentry → provider's authorize endpoint → back with code and state.
    func signIn(_ browser: WebClient, provider: TestOpenIDProvider, via providerClient: any TestClientProtocol, subject: String, state override: String? = nil) async throws -> TestResponse {
        let start = try await browser.get("/privacy/sign-in/oidc")
        #expect(start.status == .seeOther)
        let authorize = try #require(start.location.flatMap { URLComponents(string: $0) })
        let query = Dictionary(uniqueKeysWithValues: (authorize.queryItems ?? []).map { ($0.name, $0.value ?? "") })
        #expect(query["code_challenge_method"] == "S256" && query["code_challenge"]?.count == 43)
        #expect(query["nonce"] != nil && query["state"] != nil && query["client_id"] == provider.clientID)
        // The provider signs the user in and sends the browser back.
        var items = authorize.queryItems ?? []
        items.append(URLQueryItem(name: "login_hint", value: subject))
        var providerURL = authorize
        providerURL.queryItems = items
        let redirect = try await providerClient.execute(uri: providerURL.percentEncodedPath + "?" + (providerURL.percentEncodedQuery ?? ""), method: .get, headers: [:], body: nil)
        #expect(redirect.status == .found)
        let back = try #require(redirect.headers[.location].flatMap { URLComponents(string: $0) })
        var returned = Dictionary(uniqueKeysWithValues: (back.queryItems ?? []).map { ($0.name, $0.value ?? "") })
        if let override { returned["state"] = override }
        let allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        let callback = "/privacy/sign-in/callback?code=\(returned["code"]!.addingPercentEncoding(withAllowedCharacters: allowed)!)&state=\(returned["state"]!.addingPercentEncoding(withAllowedCharacters: allowed)!)"
        return try await browser.get(callback)
    }

    @Test("code flow with PKCE: the ID token verified like a bearer token, the subject signed in, the session rotated")
    func signsIn() async throws {
        try await withProvider { fixture, provider, providerClient, browser in
            let page = try await browser.get("/privacy")
            #expect(page.text.contains("href=\"/privacy/sign-in/oidc\"") && !page.text.contains("sign-in/demo"), "no demo sign-in outside the demo")
            let customer = fixture.adult
            let done = try await signIn(browser, provider: provider, via: providerClient, subject: customer.profile.loginSubject!)
            #expect(done.status == .seeOther && done.location == "/privacy")
            let overview = try await browser.get("/privacy")
            #expect(overview.text.contains("action=\"/privacy/sign-out\""))
            let sessions: [String] = try await fixture.installation.database.read { db in
                try db.fetchColumn(String.self, "SELECT kind FROM web_session", [])
            }
            #expect(sessions == ["customer"], "the pending sign-in was replaced, not kept beside the session")
        }
    }

    @Test("a replayed or foreign ID token, an expired one, a forged state and an unknown subject are refused")
    func refusals() async throws {
        try await withProvider { fixture, provider, providerClient, browser in
            let subject = fixture.adult.profile.loginSubject!
            for tamper in [TestOpenIDProvider.Tamper.wrongNonce, .wrongAudience, .expired] {
                provider.tamper.withLock { $0 = tamper }
                let refused = try await signIn(browser, provider: provider, via: providerClient, subject: subject)
                #expect(refused.status == .badRequest, "\(tamper)")
                #expect(browser.cookie("consentry_privacy").map { _ in true } ?? false, "the pending session remains until replaced")
                #expect(try await browser.get("/privacy/consents").location == "/privacy", "\(tamper): not signed in")
            }
            provider.tamper.withLock { $0 = .none }
            #expect(try await signIn(browser, provider: provider, via: providerClient, subject: subject, state: "forged-state").status == .badRequest)
            #expect(try await signIn(browser, provider: provider, via: providerClient, subject: "idp|nobody").status == .forbidden)
            #expect(try await browser.get("/privacy/sign-in/callback?code=x&state=y").status == .badRequest, "no sign-in under way")
        }
    }
}

