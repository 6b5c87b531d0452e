import ConsentryCore
import Synchronization

/// The policy in force, loaded from a directory and reloaded on demand (SIGHUP, the admin
/// API). A reload that fails keeps the last good policy and reports what is wrong.
public final class PolicyRegistry: Sendable {
    public let directory: String
    /// When set, a policy whose tests (`tests/` beside it) fail is refused, at start and on reload.
    public let requireTests: Bool
    private let state: Mutex<State>

    struct State {
        var engine: DecisionEngine
        var lastError: PolicyError?
    }

    /// - Throws: `PolicyError` if the directory does not hold a valid policy.
    public init(directory: String, requireTests: Bool = false) throws(PolicyError) {
        self.directory = directory
        self.requireTests = requireTests
        state = Mutex(State(engine: DecisionEngine(policy: try Self.load(directory: directory, requireTests: requireTests)), lastError: nil))
    }

    /// A registry over an already loaded policy (tests, benchmarks).
    public init(policy: Policy, directory: String = "") {
        self.directory = directory
        self.requireTests = false
        state = Mutex(State(engine: DecisionEngine(policy: policy), lastError: nil))
    }

    /// Loads the policy and, when `requireTests`, runs its tests: a failing case is a problem
    /// at the case's file and line.
    static func load(directory: String, requireTests: Bool) throws(PolicyError) -> Policy {
        let policy = try PolicyLoader.load(directory: directory)
        guard requireTests else { return policy }
        let cases = try PolicyTestReader.load(directory: directory + "/tests", displayPrefix: "tests")
        let problems = PolicyTestRunner.problems(PolicyTestRunner(policy: policy).run(cases))
        guard problems.isEmpty else { throw PolicyError(problems: problems) }
        return policy
    }

    public var engine: DecisionEngine { state.withLock { $0.engine } }
    public var policy: Policy { engine.policy }
    /// Why the last reload failed, until one succeeds.
    public var lastError: PolicyError? { state.withLock { $0.lastError } }

    /// Loads the directory again. On failure the current policy stays in force.
    @discardableResult
    public func reload() -> Result<Policy, PolicyError> {
        do {
            let policy = try Self.load(directory: directory, requireTests: requireTests)
            state.withLock { $0 = State(engine: DecisionEngine(policy: policy), lastError: nil) }
            return .success(policy)
        } catch {
            state.withLock { $0.lastError = error }
            return .failure(error)
        }
    }
}
