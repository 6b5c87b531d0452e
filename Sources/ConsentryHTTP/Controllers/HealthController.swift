import ConsentryCrypto
import ConsentryStore
import Foundation
import Hummingbird

/// Liveness and readiness for orchestrators.
///
/// | route | auth | answers |
/// |---|---|---|
/// | `GET /health/live` | none | 200 while the process serves HTTP |
/// | `GET /health/ready` | none | 200 when the database answers and the keys open it; 503 problem otherwise |
///
/// Neither route reveals counts, versions or anything about customers.
struct HealthController {
    let services: ConsentryServices

    struct Status: ResponseEncodable {
        var status: String
        var checks: [String: String]
    }

    func addRoutes(to group: RouterGroup<ConsentryRequestContext>) {
        group.get("live") { _, _ in Status(status: "live", checks: [:]) }
        group.get("ready") { _, _ in try await ready() }
    }

    func ready() async throws -> Status {
        var checks: [String: String] = [:]
        checks["database"] = await services.database.isReachable() ? "ok" : "unreachable"
        // The key check re-reads nothing from disk: a loaded ring that opened the system keys.
        checks["keys"] = services.keys.current.ring.keys.isEmpty ? "missing" : "ok"
        guard checks.values.allSatisfy({ $0 == "ok" }) else {
            let failing = checks.filter { $0.value != "ok" }.keys.sorted().joined(separator: ", ")
            throw ProblemDetails(status: .serviceUnavailable, code: "not_ready", detail: "failing checks: \(failing)")
        }
        return Status(status: "ready", checks: checks)
    }
}
