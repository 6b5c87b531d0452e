import ConsentryCore
import ConsentryCrypto
import ConsentryPolicy
import ConsentryStorage
import ConsentryStore
import Logging
import ServiceLifecycle

/// Acts on what other servers and the CLI announce through the database (PostgreSQL's
/// LISTEN/NOTIFY): re-reads the keys after a rotation or retirement, re-reads `Policies/`
/// after an operator's reload, and forgets verified API keys after a revocation. On SQLite
/// nothing arrives; SIGHUP and the key cache's lifetime do this job there.
public struct SignalListener: Service {
    let services: ConsentryServices
    let logger: Logger

    public init(services: ConsentryServices, logger: Logger) {
        self.services = services
        self.logger = logger
    }

    public func run() async throws {
        let signals = services.database.engine.signals()
        await cancelWhenGracefulShutdown {
            for await signal in signals {
                await handle(signal)
            }
        }
    }

    func handle(_ signal: StorageSignal) async {
        switch signal {
        case .apiKeyRevoked:
            services.apiKeys.forgetVerifiedKeys()
        case .keysChanged:
            do {
                try await services.keys.reload()
                logger.notice("keys reloaded on another server's signal", metadata: ["activeVersion": "\(services.keys.current.ring.activeVersion)"])
            } catch {
                logger.error("key reload on signal failed; keeping the loaded keys", metadata: ["error": "\(type(of: error))"])
            }
        case .policyReloaded:
            switch services.policies.reload() {
            case .success(let policy): logger.notice("policy reloaded on another server's signal", metadata: ["version": "\(policy.version)"])
            case .failure: logger.error("policy reload on signal failed; keeping \(services.policies.policy.version)")
            }
        }
    }
}
