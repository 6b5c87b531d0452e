import ConsentryCrypto
import Prometheus
import ConsentryStore
import Hummingbird
import NIOCore

/// Prometheus metrics.
///
/// | route | auth | answers |
/// |---|---|---|
/// | `GET /metrics` | none (bind to loopback or scrape through a private network) | text exposition format 0.0.4 |
///
/// Metrics are counts and durations with route patterns as labels: no identifier, no value,
/// and no business figure: the number of customers is not published (it took a full-table
/// count at every scrape, and an unauthenticated reader learnt the operator's customer base).
struct MetricsController {
    let metrics: PrometheusCollectorRegistry
    let keys: KeyProvider
    let database: AppDatabase

    func addRoutes(to router: Router<ConsentryRequestContext>) {
        router.get("metrics") { _, _ in
            try await refreshGauges()
            var buffer: [UInt8] = []
            metrics.emit(into: &buffer)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: buffer)))
        }
    }

    /// Gauges read from the database at scrape time rather than kept in sync on every write.
    private func refreshGauges() async throws {
        let registry = metrics
        let ring = keys.current.ring
        registry.makeGauge(descriptor: MetricNames.activeKEKVersion).set(Double(ring.activeVersion))
        let pending = try await KeyRewrapper(database: database, ring: ring).pendingCount()
        registry.makeGauge(descriptor: MetricNames.pendingRewrap).set(Double(pending))
    }
}
