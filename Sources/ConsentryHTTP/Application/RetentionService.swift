import ConsentryCore
import ConsentryPolicy
import ConsentryStorage
import ConsentryStore
import Foundation
import Logging
import ServiceLifecycle

/// Runs the retention sweep inside `serve`: every `interval`, customers whose data outlived
/// its purposes are erased (legal holds kept), and expired holds are dropped. Each action is
/// audited as `system:retention` and announced to modules. `consentry retention --dry-run`
/// shows what the next sweep would do.
public struct RetentionService: Service {
    let services: ConsentryServices
    let interval: Duration
    let logger: Logger

    public init(services: ConsentryServices, interval: Duration, logger: Logger) {
        self.services = services
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        let sweeper = RetentionSweeper(eraser: services.eraser)
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do { try await Task.sleep(for: interval) } catch { return }
                do {
                    // One server of a fleet sweeps; the others find the job taken and wait for the next interval.
                    let policy = services.policies.policy
                    guard let done = try await services.database.engine.runExclusive(.retentionSweep, { try await sweeper.run(policy: policy) }) else {
                        continue
                    }
                    if !done.isEmpty { logger.notice("retention sweep", metadata: ["erased": "\(done.filter { $0.kind == .erase }.count)", "holdsDropped": "\(done.filter { $0.kind == .dropExpiredHolds }.count)"]) }
                } catch {
                    logger.error("retention sweep failed; next try at the next interval", metadata: ["error": "\(type(of: error))"])
                }
            }
        }
    }
}
