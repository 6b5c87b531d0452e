import ConsentryCrypto
import Foundation
import Hummingbird
import JWTKit
import NIOCore
import Synchronization

/// A small OpenID Connect provider for the tests, on loopback: discovery, an authorization
/// endpoint that signs in `login_hint` at once, a token endpoint that checks PKCE and the
/// redirect URI, and ES256 ID tokens from a key it generates. `tamper` makes it misbehave
/// the way an attacker or a broken provider would.
final class TestOpenIDProvider: Sendable {
    enum Tamper: Sendable { case none, wrongNonce, wrongAudience, expired }

    struct Grant: Sendable {
        var challenge: String
        var nonce: String
        var subject: String
        var redirect: String
    }

    let clientID = "consentry-test"
    let issuer = Mutex<String>("")
    let tamper = Mutex<Tamper>(.none)
    let grants = Mutex<[String: Grant]>([:])
    let keys: JWTKeyCollection
    let publicJWKS: String

    static func make() async throws -> TestOpenIDProvider {
        let key = ES256PrivateKey()
        let keys = JWTKeyCollection()
        await keys.add(ecdsa: key, kid: "test-provider")
        let parameters = key.publicKey.parameters!
        let jwks = #"{"keys":[{"kty":"EC","crv":"P-256","use":"sig","alg":"ES256","kid":"test-provider","x":"\#(parameters.x)","y":"\#(parameters.y)"}]}"#
        return TestOpenIDProvider(keys: keys, jwks: jwks)
    }

    private init(keys: JWTKeyCollection, jwks: String) {
        self.keys = keys
        self.publicJWKS = jwks
    }

    struct IDToken: JWTPayload {
        var sub: SubjectClaim
        var iss: IssuerClaim
        var aud: AudienceClaim
        var exp: ExpirationClaim
        var iat: IssuedAtClaim
        var nonce: String
        func verify(using _: some JWTAlgorithm) async throws {}
    }

    var router: Router<BasicRequestContext> {
        let router = Router()
        router.get(".well-known/openid-configuration") { _, _ -> Response in
            let issuer = self.issuer.withLock { $0 }
            return Self.json(#"{"issuer":"\#(issuer)","authorization_endpoint":"\#(issuer)/authorize","token_endpoint":"\#(issuer)/token","jwks_uri":"\#(issuer)/jwks","response_types_supported":["code"],"code_challenge_methods_supported":["S256"]}"#)
        }
        router.get("jwks") { _, _ in Self.json(self.publicJWKS) }
        router.get("authorize") { request, _ -> Response in
            let query = request.uri.queryParameters
            guard query["response_type"] == "code", query["client_id"].map(String.init) == self.clientID, query["code_challenge_method"] == "S256",
                let challenge = query["code_challenge"], let state = query["state"], let nonce = query["nonce"], let redirect = query["redirect_uri"]
            else { return Response(status: .badRequest) }
            let code = Base64URLTest.encode((try? SecureRandom.bytes(16)) ?? [])
            self.grants.withLock {
                $0[code] = Grant(
                    challenge: String(challenge), nonce: String(nonce), subject: String(query["login_hint"] ?? "idp|00000001"), redirect: String(redirect))
            }
            return Response(status: .found, headers: [.location: "\(redirect)?code=\(code)&state=\(state)"])
        }
        router.post("token") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 65536)
            var form: [String: String] = [:]
            for pair in String(buffer: body).split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? "" }
                if parts.count == 2 { form[parts[0]] = parts[1] }
            }
            // A code is good once.
            guard let code = form["code"], let grant = self.grants.withLock({ $0.removeValue(forKey: code) }),
                form["grant_type"] == "authorization_code", form["client_id"] == self.clientID, form["redirect_uri"] == grant.redirect,
                let verifier = form["code_verifier"], Base64URLTest.encode(SHA256.hash(Array(verifier.utf8))) == grant.challenge
            else { return Self.json(#"{"error":"invalid_grant"}"#, status: .badRequest) }
            let tamper = self.tamper.withLock { $0 }
            let now = Date()
            let token = IDToken(
                sub: SubjectClaim(value: grant.subject), iss: IssuerClaim(value: self.issuer.withLock { $0 }),
                aud: AudienceClaim(value: [tamper == .wrongAudience ? "someone-else" : self.clientID]),
                exp: ExpirationClaim(value: tamper == .expired ? now.addingTimeInterval(-600) : now.addingTimeInterval(300)),
                iat: IssuedAtClaim(value: tamper == .expired ? now.addingTimeInterval(-900) : now),
                nonce: tamper == .wrongNonce ? "another-sign-in" : grant.nonce)
            let jwt = try await self.keys.sign(token, kid: "test-provider")
            return Self.json(#"{"access_token":"unused","token_type":"Bearer","expires_in":300,"id_token":"\#(jwt)"}"#)
        }
        return router
    }

    static func json(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}

enum Base64URLTest {
    static func encode(_ bytes: some Collection<UInt8>) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
