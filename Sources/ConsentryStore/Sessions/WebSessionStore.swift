import ConsentryCrypto
import ConsentryStorage
import Foundation

/// Sessions of the web pages (the privacy center and the console), kept in the database so
/// that any server of a fleet serves any request of a session.
///
/// The cookie holds 32 random bytes; only their SHA-256 is stored, so a reader of the
/// database (or of a backup) cannot take over a session. A session ends on sign-out, after
/// `idleTimeout` without a request, and `absoluteTimeout` after sign-in whatever happens.
/// Times are whole epoch seconds, so both engines compare them the same way.
public struct WebSessionStore: Sendable {
    public let database: AppDatabase
    public var idleTimeout: TimeInterval
    public var absoluteTimeout: TimeInterval

    /// Who a session belongs to.
    public enum Kind: String, Sendable {
        /// A customer of the privacy center: `subject` is the customer id.
        case customer
        /// A compliance officer or operator of the console: `subject` is the principal id.
        case officer, `operator`
        /// A sign-in under way at an OpenID provider: `pending` holds state, nonce and verifier.
        case pendingSignIn = "pending_sign_in"
    }

    public struct Session: Sendable, Equatable {
        public var kind: Kind
        public var subject: String
        /// What a sign-in under way must remember until the provider sends the browser back.
        public var pending: String?
        public var createdAt: Date
    }

    public init(database: AppDatabase, idleTimeout: TimeInterval = 30 * 60, absoluteTimeout: TimeInterval = 12 * 3600) {
        self.database = database
        self.idleTimeout = idleTimeout
        self.absoluteTimeout = absoluteTimeout
    }

    /// A new session; the token goes in the cookie and is not kept.
    public func create(kind: Kind, subject: String, pending: String? = nil, now: Date = Date()) async throws -> String {
        let token = Base64URL.encode(try SecureRandom.bytes(32))
        let seconds = Int64(now.timeIntervalSince1970)
        try await database.write { db in
            // Ended sessions go as new ones start: no sweeper needed.
            try db.execute("DELETE FROM web_session WHERE seen_at < ? OR created_at < ?", [seconds - Int64(idleTimeout), seconds - Int64(absoluteTimeout)])
            try db.execute(
                "INSERT INTO web_session (token_hash, kind, subject, pending, created_at, seen_at) VALUES (?, ?, ?, ?, ?, ?)",
                [Data(SHA256.hash(Array(token.utf8))), kind.rawValue, subject, pending, seconds, seconds])
        }
        return token
    }

    /// The live session of `token`, its idle clock restarted; `nil` when unknown or ended.
    public func session(token: String, now: Date = Date()) async throws -> Session? {
        guard token.utf8.count == 43 else { return nil }
        let hash = Data(SHA256.hash(Array(token.utf8)))
        let seconds = Int64(now.timeIntervalSince1970)
        guard let row = try await database.read({ db in try db.fetchOne("SELECT * FROM web_session WHERE token_hash = ?", [hash]) }) else { return nil }
        let created: Int64 = row["created_at"]
        let seen: Int64 = row["seen_at"]
        guard let kind = Kind(rawValue: row["kind"]), seconds - seen <= Int64(idleTimeout), seconds - created <= Int64(absoluteTimeout) else {
            try await end(token: token)
            return nil
        }
        // One write a minute at most per session, not one per page.
        if seconds - seen >= 60 {
            try await database.write { db in try db.execute("UPDATE web_session SET seen_at = ? WHERE token_hash = ?", [seconds, hash]) }
        }
        return Session(kind: kind, subject: row["subject"], pending: row["pending"], createdAt: Date(timeIntervalSince1970: Double(created)))
    }

    /// Ends the session of `token` (sign-out, or replaced at sign-in).
    public func end(token: String) async throws {
        let hash = Data(SHA256.hash(Array(token.utf8)))
        try await database.write { db in try db.execute("DELETE FROM web_session WHERE token_hash = ?", [hash]) }
    }

    /// Ends every session of a customer or principal (an erased customer, a revoked key).
    public func endAll(kind: Kind, subject: String) async throws {
        try await database.write { db in try db.execute("DELETE FROM web_session WHERE kind = ? AND subject = ?", [kind.rawValue, subject]) }
    }
}
