import ConsentryCore
import ConsentryCrypto
import ConsentryStore
import Foundation
import Hummingbird

/// Liveness and readiness for orchestrators.
///
/// | route | auth | answers |
/// |---|---|---|
/// | `GET /health/live` | none | 200 while the process serves HTTP |
/// | `GET /health/ready` | none | 200 when the database answers, the keys open it and the audit trail's head is signed; 503 problem otherwise |
///
/// Neither route reveals counts, versions or anything about customers.
struct HealthController {
    let database: AppDatabase
    let keys: KeyProvider

    struct Status: ResponseGenerator {
        var status: String
        var checks: [String: String]

        /// Checks in name order, so the answer reads the same every time.
        func response(from request: Request, context: some RequestContext) throws -> Response {
            Response.json(.object([
                ("status", .string(status)),
                ("checks", .object(checks.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.string($0.value)) })),
            ]))
        }
    }

    func addRoutes(to group: RouterGroup<ConsentryRequestContext>) {
        group.get("live") { _, _ in Status(status: "live", checks: [:]) }
        group.get("ready") { _, _ in try await ready() }
    }

    /// `ok`, or what is wrong: a wrapped key older than every loaded KEK version (it will not
    /// decrypt), or a ring behind the database's active version (not yet reloaded).
    func keyCheck() async -> String {
        let ring = keys.current.ring
        guard let oldestLoaded = ring.versions.first else { return "missing" }
        guard let (oldest, active) = try? await database.read({ db in (try KeyVersions.oldestInUse(db), try KeyVersions.active(db)) }) else {
            return "unknown"
        }
        if let oldest, oldest < oldestLoaded { return "missing version \(oldest)" }
        if let active, active > ring.activeVersion { return "stale: the database is at version \(active), this server at \(ring.activeVersion)" }
        return "ok"
    }

    func ready() async throws -> Status {
        var checks: [String: String] = [:]
        checks["database"] = await database.isReachable() ? "ok" : "unreachable"
        // The key check re-reads nothing from disk: a loaded ring that opened the system keys.
        checks["keys"] = await keyCheck()
        // A head no checkpoint signs means the chain was edited: the server refuses to extend it.
        checks["audit"] = await AuditLog.headStatus(database: database, keys: keys)
        guard checks.values.allSatisfy({ $0 == "ok" }) else {
            let failing = checks.filter { $0.value != "ok" }.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: "; ")
            throw ProblemDetails(status: .serviceUnavailable, code: "not_ready", detail: "failing checks: \(failing)")
        }
        return Status(status: "ready", checks: checks)
    }
}
