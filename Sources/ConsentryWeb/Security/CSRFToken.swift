import ConsentryCrypto
import Foundation

/// Cross-site request forgery tokens for every form that changes something.
///
/// Signed in, the token is an HMAC of the session's own token: bound to the session, nothing
/// stored, and useless to whoever reads the database (it holds only the session token's
/// hash). Before sign-in (the sign-in forms themselves), a random value is set in a
/// `SameSite=Strict` cookie and must come back in the form: a forged form on another site can
/// neither read nor set it.
enum CSRFToken {
    static let formField = "csrf"
    static let cookieName = "consentry_csrf"

    /// The token the forms of the session `sessionToken` carry.
    static func forSession(_ sessionToken: String) -> String {
        let key = SecureBytes(copying: Array(sessionToken.utf8))
        let code = (try? HMACSHA256.authenticationCode(for: Array("consentry-csrf-v1".utf8), using: key)) ?? []
        return Base64URL.encode(code)
    }

    /// Whether a submitted token is the session's.
    static func matches(_ submitted: String?, sessionToken: String) -> Bool {
        guard let submitted else { return false }
        return ConstantTime.equals(Array(submitted.utf8), Array(forSession(sessionToken).utf8))
    }

    /// Whether a submitted token equals the pre-sign-in cookie's (both present and non-empty).
    static func matches(_ submitted: String?, cookie: String?) -> Bool {
        guard let submitted, let cookie, cookie.utf8.count >= 32 else { return false }
        return ConstantTime.equals(Array(submitted.utf8), Array(cookie.utf8))
    }

    /// A new pre-sign-in token.
    static func random() throws -> String { Base64URL.encode(try SecureRandom.bytes(32)) }
}
