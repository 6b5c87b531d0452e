import ConsentryCrypto
import Foundation
import ConsentryStorage
import Synchronization
import ConsentryRecords

/// API keys of modules, operators and officers.
///
/// A key reads `csk_<id>_<secret>`: 12 hex digits of id, then 32 random bytes in base64url.
/// Only SHA-256 of the secret is stored; 256 random bits need no slow hash, and the id lets
/// one indexed lookup find the row. Verified keys are cached for a few seconds so the hot
/// path does not touch the database; a revocation through this store takes effect at once,
/// one made by another process (the CLI) within `cacheLifetime`.
public final class ApiKeyStore: Sendable {
    public let database: AppDatabase
    public let cacheLifetime: Duration
    private let cache = Mutex<[String: CachedKey]>([:])

    struct CachedKey {
        var principal: Principal?
        var secretHash: [UInt8]
        var checkedAt: ContinuousClock.Instant
    }

    public init(database: AppDatabase, cacheLifetime: Duration = .seconds(2)) {
        self.database = database
        self.cacheLifetime = cacheLifetime
    }

    /// A new key for `principal`. The token is returned once and never stored.
    public func create(for principal: Principal, label: String = "") async throws -> (token: String, key: ApiKeyInfo) {
        let id = try SecureRandom.bytes(6).hexString
        let secret = Base64URL.encode(try SecureRandom.bytes(32))
        let info = ApiKeyInfo(id: id, principal: principal, label: label, createdAt: Self.wholeSeconds(Date()), revokedAt: nil)
        try await database.write { db in
            try db.execute("INSERT INTO api_key (id, principal_kind, principal_id, secret_hash, label, created_at) VALUES (?, ?, ?, ?, ?, ?)", [id, principal.kind.rawValue, principal.id, Data(SHA256.hash(Array(secret.utf8))), label, info.createdAt])
        }
        return ("csk_\(id)_\(secret)", info)
    }

    public func list(kind: Principal.Kind? = nil, includeRevoked: Bool = true) async throws -> [ApiKeyInfo] {
        try await database.read { db in
            var sql = "SELECT id, principal_kind, principal_id, label, created_at, revoked_at FROM api_key WHERE 1 = 1"
            var arguments: [(any SQLValueConvertible)?] = []
            if let kind { sql += " AND principal_kind = ?"; arguments += [kind.rawValue] }
            if !includeRevoked { sql += " AND revoked_at IS NULL" }
            return try db.fetchAll(sql + " ORDER BY created_at, id", arguments).compactMap { row in
                guard let kind = Principal.Kind(rawValue: row["principal_kind"]) else { return nil }
                return ApiKeyInfo(
                    id: row["id"], principal: Principal(kind: kind, id: row["principal_id"]), label: row["label"],
                    createdAt: row["created_at"], revokedAt: row["revoked_at"])
            }
        }
    }

    /// Revokes a key by id (or by the whole token).
    /// - Returns: the key, or `nil` when no such key exists.
    @discardableResult
    public func revoke(_ idOrToken: String) async throws -> ApiKeyInfo? {
        let id = Self.parse(idOrToken)?.id ?? idOrToken
        let now = Self.wholeSeconds(Date())
        try await database.write { db in
            try db.execute("UPDATE api_key SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", [now, id])
            // Every other server forgets its verified keys at once (PostgreSQL).
            try db.notify(.apiKeyRevoked)
        }
        _ = cache.withLock { $0.removeValue(forKey: id) }
        return try await list().first { $0.id == id }
    }

    /// Forgets every verified key, so the next request of each is checked against the
    /// database (a revocation made elsewhere).
    public func forgetVerifiedKeys() {
        cache.withLock { $0.removeAll() }
    }

    /// The principal a presented token belongs to, or `nil` for an unknown, malformed or
    /// revoked key. Compares hashes in constant time.
    public func authenticate(_ token: String) async throws -> Principal? {
        guard let (id, secret) = Self.parse(token) else { return nil }
        let presented = SHA256.hash(Array(secret.utf8))
        let now = ContinuousClock.now
        if let cached = cache.withLock({ $0[id] }), now - cached.checkedAt < cacheLifetime {
            return ConstantTime.equals(cached.secretHash, presented) ? cached.principal : nil
        }
        let row = try await database.read { db in
            try db.fetchOne("SELECT principal_kind, principal_id, secret_hash, revoked_at FROM api_key WHERE id = ?", [id])
                .map { row -> (String, String, Data, Bool) in
                    (row["principal_kind"], row["principal_id"], row["secret_hash"], (row["revoked_at"] as Date?) != nil)
                }
        }
        guard let (kind, principalID, hash, revoked) = row else { return nil }
        let principal = revoked ? nil : Principal.Kind(rawValue: kind).map { Principal(kind: $0, id: principalID) }
        cache.withLock { $0[id] = CachedKey(principal: principal, secretHash: Array(hash), checkedAt: now) }
        return ConstantTime.equals(Array(hash), presented) ? principal : nil
    }

    static func parse(_ token: String) -> (id: String, secret: String)? {
        let parts = token.split(separator: "_", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "csk", parts[1].count == 12, parts[1].allSatisfy(\.isHexDigit), parts[2].count == 43 else { return nil }
        return (String(parts[1]), String(parts[2]))
    }

    static func wholeSeconds(_ date: Date) -> Date { Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down)) }
}

/// Who presents a credential: a module, an operator or an officer.
public struct Principal: Sendable, Equatable, Hashable, CustomStringConvertible {
    public var kind: Kind
    public var id: String

    public enum Kind: String, Sendable, CaseIterable, Codable {
        case module, `operator`, officer
    }

    public init(kind: Kind, id: String) {
        self.kind = kind
        self.id = id
    }

    public var description: String { "\(kind.rawValue):\(id)" }

    public var auditActor: AuditActor {
        switch kind {
        case .module: AuditActor(.module, id)
        case .operator: AuditActor(.operator, id)
        case .officer: AuditActor(.officer, id)
        }
    }
}

/// A stored key, without its secret.
public struct ApiKeyInfo: Sendable, Equatable {
    public var id: String
    public var principal: Principal
    public var label: String
    public var createdAt: Date
    public var revokedAt: Date?
}
