import ConsentryCore
import ConsentryPolicy
import ConsentryStorage
import ConsentryStore
import Foundation
import Hummingbird
import NIOCore
import Prometheus
import ConsentryRecords

/// Operator endpoints: the policy in force and its reload. Operator API keys only.
struct AdminController {
    let apiKeys: ApiKeyStore
    let policies: PolicyRegistry
    let database: AppDatabase
    let audit: AuditLog
    let metrics: PrometheusCollectorRegistry

    func addRoutes(to router: Router<ConsentryRequestContext>) {
        let admin = router.group("admin/v1").add(middleware: ApiKeyAuthenticator(keys: apiKeys, kinds: [.operator]))
        admin.get("policy", use: policy)
        admin.post("policy/reload", use: reload)
    }

    @Sendable func policy(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        Response.json(Self.summary(policies))
    }

    /// Reloads Policies/. A bad policy is 422 with every problem as file:line:column, and the
    /// previous policy stays in force.
    @Sendable func reload(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        let before = policies.policy.version
        let result = policies.reload()
        let actor = AuditActor(.operator, context.principal?.id ?? "unknown")
        switch result {
        case .success(let policy):
            // Every other server of the fleet re-reads its Policies/ too.
            try await database.write { db in try db.notify(.policyReloaded) }
            try await audit.record(AuditEvent(
                actor: actor, action: .policyReload, fields: ["from:\(before)"], outcome: "succeeded", policyVersion: policy.version,
                requestID: context.requestID))
            return Response.json(Self.summary(policies))
        case .failure(let error):
            metrics.makeCounter(descriptor: MetricNames.policyReloadFailures).increment()
            try await audit.record(AuditEvent(
                actor: actor, action: .policyReload, outcome: "failed", reasons: ["POLICY_INVALID"], policyVersion: before,
                requestID: context.requestID))
            var problem = ProblemDetails(
                status: .unprocessableContent, code: "policy_invalid",
                detail: "the policy did not load; \(before) stays in force")
            problem.issues = error.problems.map { ValidationIssue(path: "\($0.file):\($0.line):\($0.column)", code: "policy", message: $0.message) }
            throw problem
        }
    }

    static func summary(_ registry: PolicyRegistry) -> JSONValue {
        let policy = registry.policy
        var members: [(String, JSONValue)] = [
            ("version", .string(policy.version)),
            ("purposes", .array(policy.purposes.keys.sorted().map { .string($0) })),
            ("modules", .array(policy.modules.keys.sorted().map { .string($0) })),
        ]
        if let error = registry.lastError {
            members.append(("lastReloadProblems", .array(error.problems.map { .string($0.description) })))
        }
        return .object(members)
    }
}
