import ConsentryUseCases
import Prometheus

/// `consentry_decisions_total{module, purpose, outcome}` for the purpose gate.
struct PrometheusDecisionCounter: DecisionCounting {
    let registry: PrometheusCollectorRegistry

    func count(module: String, purpose: String, outcome: String, by count: Int) {
        registry.makeCounter(descriptor: MetricNames.decisions, labels: [("module", module), ("purpose", purpose), ("outcome", outcome)])
            .increment(by: Int64(count))
    }
}
