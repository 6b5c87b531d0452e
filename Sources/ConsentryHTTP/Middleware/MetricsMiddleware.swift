import Hummingbird
import Prometheus

/// Counts requests and records their duration per route pattern (never the raw path, which
/// could carry an identifier) and status.
struct MetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let registry: PrometheusCollectorRegistry
    private let counters = MetricLookup<Counter>()
    private let histograms = MetricLookup<DurationHistogram>()

    init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        let route = context.endpointPath ?? "unmatched"
        let method = request.method.rawValue
        let status = response.status.code
        counters.metric("\(method) \(route) \(status)") {
            registry.makeCounter(descriptor: MetricNames.httpRequests, labels: [("method", method), ("route", route), ("status", String(status))])
        }.increment()
        histograms.metric("\(method) \(route)") {
            registry.makeDurationHistogram(
                descriptor: MetricNames.httpDuration, labels: [("method", method), ("route", route)],
                buckets: [.milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .seconds(1)])
        }.record(ContinuousClock.now - start)
        return response
    }
}
