import Hummingbird
import Prometheus

/// Counts requests and records their duration per route pattern (never the raw path, which
/// could carry an identifier) and status.
struct MetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let registry: PrometheusCollectorRegistry

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        let route = context.endpointPath ?? "unmatched"
        let labels = [("method", request.method.rawValue), ("route", route), ("status", String(response.status.code))]
        registry.makeCounter(descriptor: MetricNames.httpRequests, labels: labels).increment()
        registry.makeDurationHistogram(
            descriptor: MetricNames.httpDuration, labels: [("method", request.method.rawValue), ("route", route)],
            buckets: [.milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .seconds(1)]
        ).record(ContinuousClock.now - start)
        return response
    }
}
