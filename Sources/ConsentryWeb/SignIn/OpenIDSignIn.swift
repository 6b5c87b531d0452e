import AsyncHTTPClient
import ConsentryCrypto
import ConsentryHTTP
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization

/// Sign-in through the operator's OpenID Connect provider: the authorization code flow with
/// PKCE (S256), a `state` against forged callbacks and a `nonce` against replayed ID tokens.
/// The provider is found by its discovery document; its ID token is verified exactly as
/// `/self` verifies bearer tokens (`CustomerTokenVerifier`: signature from the provider's
/// JWKS, issuer, audience = our client id, expiry, lifetime), plus the nonce.
final class OpenIDSignIn: Sendable {
    let settings: OpenIDSettings
    private let discovered = Mutex<Discovery?>(nil)

    struct Discovery: Sendable {
        var authorizationEndpoint: String
        var tokenEndpoint: String
        var verifier: CustomerTokenVerifier
        var fetchedAt: Date
    }

    /// What the server keeps, in the pending session, between the redirect to the provider and
    /// the browser's return.
    struct Pending: Codable, Sendable {
        var state: String
        var nonce: String
        var codeVerifier: String
    }

    /// Why a sign-in failed, safe to log (never a code or token).
    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    init(settings: OpenIDSettings) {
        self.settings = settings
    }

    /// The provider's authorization URL for a new sign-in, and what to remember until it returns.
    func start() async throws -> (url: String, pending: Pending) {
        let discovery = try await discover()
        let pending = Pending(
            state: Base64URL.encode(try SecureRandom.bytes(24)), nonce: Base64URL.encode(try SecureRandom.bytes(24)),
            codeVerifier: Base64URL.encode(try SecureRandom.bytes(32)))
        let challenge = Base64URL.encode(SHA256.hash(Array(pending.codeVerifier.utf8)))
        let query = Self.formEncoded([
            ("response_type", "code"), ("client_id", settings.clientID), ("redirect_uri", settings.redirectURL),
            ("scope", settings.scopes.joined(separator: " ")), ("state", pending.state), ("nonce", pending.nonce),
            ("code_challenge", challenge), ("code_challenge_method", "S256"),
        ])
        let separator = discovery.authorizationEndpoint.contains("?") ? "&" : "?"
        return (discovery.authorizationEndpoint + separator + query, pending)
    }

    /// The login subject the provider vouches for, once the code is exchanged and the ID token checks out.
    func finish(code: String, state: String, pending: Pending) async throws -> String {
        guard ConstantTime.equals(Array(state.utf8), Array(pending.state.utf8)) else { throw Failure("the state does not match this sign-in") }
        let discovery = try await discover()
        var form: [(String, String)] = [
            ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", settings.redirectURL), ("client_id", settings.clientID),
            ("code_verifier", pending.codeVerifier),
        ]
        if let secret = settings.clientSecret { form.append(("client_secret", secret)) }
        var request = HTTPClientRequest(url: discovery.tokenEndpoint)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Accept", value: "application/json")
        request.body = .bytes(ByteBuffer(string: Self.formEncoded(form)))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 20)
        guard response.status == .ok else { throw Failure("the provider refused the code (HTTP \(response.status.code))") }
        guard let object = try? JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any],
            let idToken = object["id_token"] as? String
        else { throw Failure("the provider's token response has no id_token") }
        do {
            return try await discovery.verifier.subject(of: idToken, nonce: pending.nonce)
        } catch let error as CustomerTokenVerifier.Rejected {
            throw Failure("the ID token was refused: \(error.reason)")
        }
    }

    /// The discovery document and keys, fetched again after ten minutes (key rotation).
    private func discover() async throws -> Discovery {
        if let cached = discovered.withLock({ $0 }), Date().timeIntervalSince(cached.fetchedAt) < 600 { return cached }
        let base = settings.issuer.hasSuffix("/") ? String(settings.issuer.dropLast()) : settings.issuer
        let document = try await Self.fetchJSON(base + "/.well-known/openid-configuration")
        guard let issuer = document["issuer"] as? String, issuer == settings.issuer || issuer == base else {
            throw Failure("the discovery document names another issuer")
        }
        guard let authorization = document["authorization_endpoint"] as? String, let token = document["token_endpoint"] as? String,
            let jwksURI = document["jwks_uri"] as? String
        else { throw Failure("the discovery document lacks an endpoint") }
        for url in [authorization, token, jwksURI] where !Self.isAcceptable(url) {
            throw Failure("the provider's endpoints must use https (plain http only on loopback)")
        }
        let jwks = try await Self.fetch(jwksURI)
        let verifier = try await CustomerTokenVerifier.make(CustomerIdentitySettings(issuer: issuer, audience: settings.clientID, jwksJSON: jwks))
        let discovery = Discovery(authorizationEndpoint: authorization, tokenEndpoint: token, verifier: verifier, fetchedAt: Date())
        discovered.withLock { $0 = discovery }
        return discovery
    }

    static func isAcceptable(_ url: String) -> Bool {
        guard let components = URLComponents(string: url), let host = components.host else { return false }
        if components.scheme == "https" { return true }
        return components.scheme == "http" && ["127.0.0.1", "localhost", "::1", "[::1]"].contains(host)
    }

    private static func fetch(_ url: String) async throws -> String {
        guard isAcceptable(url) else { throw Failure("the provider must be reached over https (plain http only on loopback)") }
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Accept", value: "application/json")
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 20)
        guard response.status == .ok else { throw Failure("the provider answered HTTP \(response.status.code) for \(url)") }
        return String(buffer: body)
    }

    private static func fetchJSON(_ url: String) async throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: Data(try await fetch(url).utf8)) as? [String: Any] else {
            throw Failure("the provider's document at \(url) is not a JSON object")
        }
        return object
    }

    static func formEncoded(_ pairs: [(String, String)]) -> String {
        let allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        return pairs.map { "\($0.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")=\($1.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }
            .joined(separator: "&")
    }
}
