import ConsentryCrypto
import Foundation
import JWTKit
import Synchronization

/// Where customer tokens come from: the operator's identity provider.
public struct CustomerIdentitySettings: Sendable {
    public var issuer: String
    public var audience: String
    /// An HS256 shared secret (the demo's development key, or a provider that signs so).
    public var hs256Secret: SecureBytes?
    /// A JWKS document with the provider's ES256 / RS256 public keys.
    public var jwksJSON: String?
    /// A JWKS file, read again when it changes (checked at most every `jwksRecheck`): the
    /// provider's key rotation reaches Consentry by replacing the file, without a restart.
    public var jwksFile: String?
    public var jwksRecheck: TimeInterval = 10
    /// The longest a token may live (`exp` after `iat`): a stolen token is worth this much at most.
    public var maximumLifetime: TimeInterval = 24 * 3600
    /// How far the provider's clock may run ahead of ours (`iat`, `nbf`).
    public var clockSkew: TimeInterval = 60

    public init(issuer: String, audience: String, hs256Secret: SecureBytes? = nil, jwksJSON: String? = nil) {
        self.issuer = issuer
        self.audience = audience
        self.hs256Secret = hs256Secret
        self.jwksJSON = jwksJSON
    }

    /// The demo's development issuer and audience.
    public static let developmentIssuer = "consentry-dev"
    public static let developmentAudience = "consentry-self-service"
}

/// Verifies customer bearer tokens with jwt-kit: signature (HS256, or ES256/RS256 from the
/// JWKS), issuer, audience and expiry. `alg: none` and unknown keys are refused by jwt-kit.
public final class CustomerTokenVerifier: Sendable {
    /// The keys in use, and what they were loaded from: replaced when the JWKS file changes.
    private let state: Mutex<(keys: JWTKeyCollection, checkedAt: Date, fileStamp: Date?)>
    public let settings: CustomerIdentitySettings

    var keys: JWTKeyCollection { state.withLock { $0.keys } }

    public struct Rejected: Error, Equatable, CustomStringConvertible {
        public var reason: String
        public var description: String { reason }
    }

    public static func make(_ settings: CustomerIdentitySettings) async throws -> CustomerTokenVerifier {
        let (keys, stamp) = try await loadKeys(settings)
        return CustomerTokenVerifier(keys: keys, stamp: stamp, settings: settings)
    }

    private static func loadKeys(_ settings: CustomerIdentitySettings) async throws -> (JWTKeyCollection, Date?) {
        let keys = JWTKeyCollection()
        if let secret = settings.hs256Secret {
            await keys.add(hmac: secret.withTemporaryArray { HMACKey(from: $0) }, digestAlgorithm: .sha256, kid: "hs256")
        }
        if let jwks = settings.jwksJSON { try await keys.add(jwksJSON: jwks) }
        var stamp: Date?
        if let file = settings.jwksFile {
            stamp = modificationDate(file)
            try await keys.add(jwksJSON: try String(contentsOfFile: file, encoding: .utf8))
        }
        return (keys, stamp)
    }

    private static func modificationDate(_ path: String) -> Date? {
        (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
    }

    private init(keys: JWTKeyCollection, stamp: Date?, settings: CustomerIdentitySettings) {
        self.state = Mutex((keys, Date(), stamp))
        self.settings = settings
    }

    /// The keys to verify with, after reloading the JWKS file if it changed. A file that no
    /// longer parses keeps the last good keys (the provider's next write will fix it).
    private func currentKeys() async -> JWTKeyCollection {
        guard let file = settings.jwksFile else { return keys }
        let now = Date()
        let due: Date?? = state.withLock { current in
            guard now.timeIntervalSince(current.checkedAt) >= settings.jwksRecheck else { return nil }
            current.checkedAt = now
            return .some(current.fileStamp)
        }
        guard let stamp = due, Self.modificationDate(file) != stamp, let (reloaded, newStamp) = try? await Self.loadKeys(settings) else { return keys }
        state.withLock { $0 = (reloaded, now, newStamp) }
        return reloaded
    }

    /// The token's subject, once signature, issuer, audience and expiry check out.
    /// - Throws: `Rejected` with a reason safe to show (never the token).
    public func subject(of token: String) async throws -> String {
        try await subject(of: token, nonce: nil)
    }

    /// The subject of an OpenID Connect ID token, checked as a bearer token is, and its
    /// `nonce` equal to the one the sign-in sent (`nil`: no nonce expected).
    /// - Throws: `Rejected` with a reason safe to show (never the token).
    public func subject(of token: String, nonce expected: String?) async throws -> String {
        let claims: CustomerClaims
        let keys = await currentKeys()
        do { claims = try await keys.verify(token, as: CustomerClaims.self, iteratingKeys: true) } catch let error as JWTError {
            throw Rejected(reason: error.errorType == .claimVerificationFailure ? "the token has expired" : "the token's signature or format is invalid")
        } catch {
            throw Rejected(reason: "the token's signature or format is invalid")
        }
        guard claims.iss.value == settings.issuer else { throw Rejected(reason: "the token was issued by another issuer") }
        do { try claims.aud.verifyIntendedAudience(includes: settings.audience) } catch {
            throw Rejected(reason: "the token is meant for another audience")
        }
        guard !claims.sub.value.isEmpty else { throw Rejected(reason: "the token has no subject") }
        if let expected {
            guard let nonce = claims.nonce, ConstantTime.equals(Array(nonce.utf8), Array(expected.utf8)) else {
                throw Rejected(reason: "the token was not issued for this sign-in (nonce)")
            }
        }
        let now = Date()
        if let notBefore = claims.nbf?.value, notBefore > now.addingTimeInterval(settings.clockSkew) {
            throw Rejected(reason: "the token is not valid yet")
        }
        if let issued = claims.iat?.value, issued > now.addingTimeInterval(settings.clockSkew) {
            throw Rejected(reason: "the token was issued in the future")
        }
        if claims.exp.value.timeIntervalSince(claims.iat?.value ?? now) > settings.maximumLifetime {
            throw Rejected(reason: "the token lives longer than \(Int(settings.maximumLifetime / 3600)) hours; ask the identity provider for shorter-lived tokens")
        }
        return claims.sub.value
    }

    /// A development token for `subject` (HS256 with the configured secret), as the demo's
    /// `consentry token` prints.
    public func mint(subject: String, lifetime: TimeInterval = 3600, now: Date = Date(), notBefore: Date? = nil) async throws -> String {
        let claims = CustomerClaims(
            sub: SubjectClaim(value: subject), iss: IssuerClaim(value: settings.issuer), aud: AudienceClaim(value: [settings.audience]),
            exp: ExpirationClaim(value: now.addingTimeInterval(lifetime)), iat: IssuedAtClaim(value: now), nbf: notBefore.map { NotBeforeClaim(value: $0) },
            nonce: nil)
        return try await keys.sign(claims, kid: "hs256")
    }
}
