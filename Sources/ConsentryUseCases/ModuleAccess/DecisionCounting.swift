/// Counts decisions by module, purpose and outcome (the HTTP adapter feeds Prometheus).
public protocol DecisionCounting: Sendable {
    func count(module: String, purpose: String, outcome: String, by count: Int)
}

/// Counts nothing (the CLI, tests that do not look).
public struct NoDecisionCounting: DecisionCounting {
    public init() {}
    public func count(module: String, purpose: String, outcome: String, by count: Int) {}
}
