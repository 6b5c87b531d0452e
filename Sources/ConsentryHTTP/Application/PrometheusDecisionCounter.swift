import ConsentryUseCases
import Prometheus

/// `consentry_decisions_total{module, purpose, outcome}` for the purpose gate.
struct PrometheusDecisionCounter: DecisionCounting {
    let registry: PrometheusCollectorRegistry
    private let counters = MetricLookup<Counter>()

    init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
    }

    func count(module: String, purpose: String, outcome: String, by count: Int) {
        counters.metric("\(module)\u{0}\(purpose)\u{0}\(outcome)") {
            registry.makeCounter(descriptor: MetricNames.decisions, labels: [("module", module), ("purpose", purpose), ("outcome", outcome)])
        }.increment(by: Int64(count))
    }
}
