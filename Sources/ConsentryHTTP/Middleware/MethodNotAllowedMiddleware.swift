import HTTPTypes
import Hummingbird
import Synchronization

/// Turns the router's 404 for a known path with an unknown method into 405 with `Allow`
/// (RFC 9110 §15.5.6), so clients learn the route exists and what it takes.
struct MethodNotAllowedMiddleware: RouterMiddleware {
    typealias Context = ConsentryRequestContext
    let table: RouteTable

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            let methods = table.methods(for: request.uri.path)
            guard !methods.isEmpty, !methods.contains(request.method) else { throw error }
            var problem = ProblemDetails(
                status: .methodNotAllowed, code: "method_not_allowed",
                detail: "this route takes \(methods.map(\.rawValue).sorted().joined(separator: ", "))")
            problem.headers = [.allow: methods.map(\.rawValue).sorted().joined(separator: ", ")]
            throw problem
        }
    }
}

/// The routes of a router, filled once they are all registered.
final class RouteTable: Sendable {
    private let routes = Mutex<[(segments: [Substring], method: HTTPRequest.Method)]>([])

    func fill(from router: Router<ConsentryRequestContext>) {
        routes.withLock { $0 = router.routes.map { (Self.segments($0.path.description), $0.method) } }
    }

    func methods(for path: String) -> [HTTPRequest.Method] {
        let wanted = Self.segments(path)
        return routes.withLock { routes in
            routes.filter { route in
                route.segments.count == wanted.count
                    && zip(route.segments, wanted).allSatisfy { pattern, segment in pattern.hasPrefix("{") || pattern.hasPrefix(":") || pattern == segment }
            }.map(\.method)
        }
    }

    private static func segments(_ path: String) -> [Substring] { path.split(separator: "/") }
}
