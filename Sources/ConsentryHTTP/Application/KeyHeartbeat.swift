import ConsentryCrypto
import ConsentryStorage
import ConsentryStore
import Foundation
import Logging
import ServiceLifecycle

/// Tells the database, every few seconds, which KEK version this server wraps under, so
/// `consentry keys retire` refuses while a live server still uses an old one; and reloads
/// the keys as soon as the database records a newer active version (a rotation by the CLI or
/// another server), without waiting for SIGHUP or a refused write.
public struct KeyHeartbeat: Service {
    let services: ConsentryServices
    let interval: Duration
    let logger: Logger
    let id = UUID().uuidString.lowercased()

    public init(services: ConsentryServices, interval: Duration = KeyVersions.heartbeatInterval, logger: Logger) {
        self.services = services
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await beat()
                do { try await Task.sleep(for: interval) } catch { break }
            }
        }
        let id = self.id
        _ = try? await services.database.write { db in try KeyVersions.forget(serverID: id, db) }
    }

    func beat() async {
        do {
            let id = self.id
            let version = services.keys.current.ring.activeVersion
            let active = try await services.database.write { db in
                try KeyVersions.beat(serverID: id, version: version, db)
                return try KeyVersions.active(db)
            }
            if let active, active > version {
                try await services.keys.reload()
                // Say so at once: `keys retire` waits for no server still on the old version.
                let reloaded = services.keys.current.ring.activeVersion
                _ = try await services.database.write { db in try KeyVersions.beat(serverID: id, version: reloaded, db) }
                logger.notice("keys reloaded: the database is at a newer KEK version", metadata: ["activeVersion": "\(services.keys.current.ring.activeVersion)"])
            }
        } catch {
            logger.warning("key heartbeat failed", metadata: ["error": "\(type(of: error))"])
        }
    }
}
