import Synchronization

/// Metrics by label set, made once: the registry's `makeCounter`/`makeDurationHistogram`
/// validate names and labels and look them up under its lock on every call, which cost
/// more per guarded read than the decision itself.
final class MetricLookup<Metric: Sendable>: Sendable {
    private let metrics = Mutex<[String: Metric]>([:])

    func metric(_ key: String, make: () -> Metric) -> Metric {
        if let found = metrics.withLock({ $0[key] }) { return found }
        let made = make()  // the registry returns the same metric for the same labels
        metrics.withLock { $0[key] = made }
        return made
    }
}
