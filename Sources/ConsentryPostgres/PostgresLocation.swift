import Foundation
import PostgresNIO

/// A `postgres://user:password@host:port/database?sslmode=...` URL, parsed. Its display form
/// never carries the password.
public struct PostgresLocation: Sendable {
    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String
    /// `disable` (plain TCP, loopback and tests), `prefer` or `require` (TLS, the server's
    /// certificate verified against the system's trust store).
    public var sslMode: String

    /// - Throws: `StorageFailure` naming what is wrong with the URL (never its password).
    public init(url: String) throws {
        guard let components = URLComponents(string: url), let scheme = components.scheme, scheme == "postgres" || scheme == "postgresql" else {
            throw StorageFailureFactory.badURL("expected postgres://user[:password]@host[:port]/database")
        }
        guard let host = components.host, !host.isEmpty else { throw StorageFailureFactory.badURL("the URL names no host") }
        guard let user = components.user, !user.isEmpty else { throw StorageFailureFactory.badURL("the URL names no user") }
        let database = String(components.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty else { throw StorageFailureFactory.badURL("the URL names no database") }
        self.host = host
        self.port = components.port ?? 5432
        self.username = user.removingPercentEncoding ?? user
        self.password = components.password.map { $0.removingPercentEncoding ?? $0 }
        self.database = database
        let mode = components.queryItems?.first(where: { $0.name == "sslmode" })?.value ?? (Self.isLoopback(host) ? "disable" : "require")
        guard ["disable", "prefer", "require"].contains(mode) else {
            throw StorageFailureFactory.badURL("sslmode must be disable, prefer or require")
        }
        self.sslMode = mode
    }

    /// `postgres://user@host:port/database`, without the password.
    public var displayName: String { "postgres://\(username)@\(host):\(port)/\(database)" }

    static func isLoopback(_ host: String) -> Bool { host == "localhost" || host == "::1" || host.hasPrefix("127.") }

    func configuration() throws -> PostgresConnection.Configuration {
        let tls: PostgresConnection.Configuration.TLS
        switch sslMode {
        case "disable": tls = .disable
        case "prefer": tls = .prefer(try .init(configuration: .makeClientConfiguration()))
        default: tls = .require(try .init(configuration: .makeClientConfiguration()))
        }
        return PostgresConnection.Configuration(host: host, port: port, username: username, password: password, database: database, tls: tls)
    }
}
