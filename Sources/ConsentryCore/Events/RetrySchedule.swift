import Foundation

/// When to try a failed delivery again: exponential backoff with full jitter (the delay is
/// drawn uniformly from zero to the capped exponential), so receivers coming back from an
/// outage are not hit by every deliverer at the same instant; dead-lettered after
/// `maxAttempts`.
public struct RetrySchedule: Sendable, Equatable {
    public var initialDelay: Duration
    public var maximumDelay: Duration
    public var maxAttempts: Int

    public static let standard = RetrySchedule(initialDelay: .seconds(1), maximumDelay: .seconds(3600), maxAttempts: 12)

    public init(initialDelay: Duration, maximumDelay: Duration, maxAttempts: Int) {
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
        self.maxAttempts = maxAttempts
    }

    /// The delay after failed attempt number `attempt` (1-based), or `nil` when the delivery
    /// is to be dead-lettered. `unit` is a random number in [0, 1).
    public func delay(afterAttempt attempt: Int, unit: Double) -> Duration? {
        guard attempt < maxAttempts else { return nil }
        let ceiling = min(
            maximumDelay.seconds, initialDelay.seconds * pow(2, Double(min(attempt - 1, 62))))
        // Never zero: a receiver that just failed gets at least a tenth of the initial delay.
        let seconds = max(initialDelay.seconds / 10, ceiling * min(max(unit, 0), 1))
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }
}

extension Duration {
    var seconds: Double {
        let (s, attoseconds) = components
        return Double(s) + Double(attoseconds) / 1e18
    }
}
