import ConsentryCore
import Synchronization

/// The policy in force, loaded from a directory and reloaded on demand (SIGHUP, the admin
/// API). A reload that fails keeps the last good policy and reports what is wrong.
public final class PolicyRegistry: Sendable {
    public let directory: String
    private let state: Mutex<State>

    struct State {
        var engine: DecisionEngine
        var lastError: PolicyError?
    }

    /// - Throws: `PolicyError` if the directory does not hold a valid policy.
    public init(directory: String) throws(PolicyError) {
        self.directory = directory
        state = Mutex(State(engine: DecisionEngine(policy: try PolicyLoader.load(directory: directory)), lastError: nil))
    }

    /// A registry over an already loaded policy (tests, benchmarks).
    public init(policy: Policy, directory: String = "") {
        self.directory = directory
        state = Mutex(State(engine: DecisionEngine(policy: policy), lastError: nil))
    }

    public var engine: DecisionEngine { state.withLock { $0.engine } }
    public var policy: Policy { engine.policy }
    /// Why the last reload failed, until one succeeds.
    public var lastError: PolicyError? { state.withLock { $0.lastError } }

    /// Loads the directory again. On failure the current policy stays in force.
    @discardableResult
    public func reload() -> Result<Policy, PolicyError> {
        do {
            let policy = try PolicyLoader.load(directory: directory)
            state.withLock { $0 = State(engine: DecisionEngine(policy: policy), lastError: nil) }
            return .success(policy)
        } catch {
            state.withLock { $0.lastError = error }
            return .failure(error)
        }
    }
}
