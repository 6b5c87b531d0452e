import ConsentryPostgres
import ConsentryStorage
import ConsentryTesting
import Foundation
import Testing

@Suite(
    "PostgreSQL: no statement waits forever",
    .enabled(if: TestEngine.current == .postgres, "needs PostgreSQL: scripts/test.sh runs it in the suite's PostgreSQL pass"))
struct PostgresDeadlineTests {
    @Test("a statement that gets no answer in time is an error, its connection is dropped, a read is tried once more, and the engine keeps working")
    func deadline() async throws {
        let engine = try await PostgresEngine.open(url: try await TestEngine.makePostgresDatabase(), size: 2, statementDeadline: .seconds(5))
        defer { try? engine.close() }
        let started = ContinuousClock.now
        do {
            _ = try await engine.read { db in try db.fetchValue(Int.self, "SELECT 1 FROM pg_sleep(120)", []) }
            Issue.record("a 120 s statement under a 5 s deadline must fail")
        } catch let failure as StorageFailure {
            #expect(failure.code == .timeout, "\(failure)")
        }
        // Given up after two attempts of 5 s (the read is retried once on a fresh connection),
        // not after the statement's 120 s. The deadline and the bound are loose on purpose: in a
        // loaded CI run even `SELECT 1` can take over half a second.
        #expect(ContinuousClock.now - started < .seconds(60))
        await #expect(throws: StorageFailure.self) {
            _ = try await engine.write { db in try db.execute("SELECT pg_sleep(120)", []) }
        }
        // The wedged connections were given up: the next statements run on fresh ones.
        for _ in 0..<4 {
            #expect(try await engine.read { db in try db.fetchValue(Int.self, "SELECT 41 + 1", []) } == 42)
        }
    }
}
