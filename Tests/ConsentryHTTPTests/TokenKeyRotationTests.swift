import ConsentryCrypto
@testable import ConsentryHTTP
import ConsentryTesting
import Foundation
import JWTKit
import Testing

/// #11 finding 10: the identity provider's keys (a JWKS file) are read again when they change.
@Suite("Customer tokens: JWKS rotation")
struct TokenKeyRotationTests {
    static func jwk(_ key: ES256PrivateKey, kid: String) -> String {
        let p = key.publicKey.parameters!
        return #"{"kty":"EC","crv":"P-256","alg":"ES256","use":"sig","kid":"\#(kid)","x":"\#(p.x)","y":"\#(p.y)"}"#
    }

    static func token(_ key: ES256PrivateKey, kid: String, subject: String) async throws -> String {
        let signer = JWTKeyCollection()
        await signer.add(ecdsa: key, kid: JWKIdentifier(string: kid))
        let now = Date()
        let claims = CustomerClaims(
            sub: SubjectClaim(value: subject), iss: IssuerClaim(value: "https://idp.example"), aud: AudienceClaim(value: ["consentry"]),
            exp: ExpirationClaim(value: now.addingTimeInterval(600)), iat: IssuedAtClaim(value: now), nbf: nil)
        return try await signer.sign(claims, kid: JWKIdentifier(string: kid))
    }

    @Test("a key the provider adds to its JWKS file is accepted without a restart; one it removes is refused")
    func rotation() async throws {
        let directory = try TemporaryDirectory()
        let file = directory.file("jwks.json")
        let (old, new) = (ES256PrivateKey(), ES256PrivateKey())
        func publish(_ keys: [String]) throws {
            try #"{"keys":[\#(keys.joined(separator: ","))]}"#.write(toFile: file, atomically: true, encoding: .utf8)
            // A distinct modification time, as a provider's next write has.
            try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(Double.random(in: 1...1000))], ofItemAtPath: file)
        }
        try publish([Self.jwk(old, kid: "2026-01")])
        var settings = CustomerIdentitySettings(issuer: "https://idp.example", audience: "consentry")
        settings.jwksFile = file
        settings.jwksRecheck = 0
        let verifier = try await CustomerTokenVerifier.make(settings)
        #expect(try await verifier.subject(of: try await Self.token(old, kid: "2026-01", subject: "idp|a")) == "idp|a")
        let rotated = try await Self.token(new, kid: "2026-07", subject: "idp|b")
        await #expect(throws: CustomerTokenVerifier.Rejected.self) { _ = try await verifier.subject(of: rotated) }
        try publish([Self.jwk(old, kid: "2026-01"), Self.jwk(new, kid: "2026-07")])
        #expect(try await verifier.subject(of: rotated) == "idp|b")
        try publish([Self.jwk(new, kid: "2026-07")])
        await #expect(throws: CustomerTokenVerifier.Rejected.self) { _ = try await verifier.subject(of: try await Self.token(old, kid: "2026-01", subject: "idp|a")) }
        // A broken file keeps the last good keys.
        try "not json".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(try await verifier.subject(of: rotated) == "idp|b")
    }
}
