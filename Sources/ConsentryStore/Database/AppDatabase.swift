import ConsentryStorage
import Foundation

/// The one gateway to Consentry's database, whichever engine holds it: the store's types
/// read and write through it, in SQL both engines speak (see `SQLDialect`).
public struct AppDatabase: Sendable {
    public let engine: any StorageEngine

    public init(engine: any StorageEngine) {
        self.engine = engine
    }

    public var dialect: SQLDialect { engine.dialect }

    public func read<T: Sendable>(_ body: @escaping @Sendable (any StorageConnection) throws -> T) async throws -> T {
        try await engine.read(body)
    }

    public func write<T: Sendable>(_ body: @escaping @Sendable (any StorageConnection) throws -> T) async throws -> T {
        try await engine.write(body)
    }

    public func writeWithoutTransaction<T: Sendable>(_ body: @escaping @Sendable (any StorageConnection) throws -> T) async throws -> T {
        try await engine.writeWithoutTransaction(body)
    }
}

extension AppDatabase {
    /// Records an operator action (export, key rotation...). `detail` must hold no personal data.
    /// - Parameter signal: what the other servers must do about it, announced at commit.
    @discardableResult
    public func recordOperatorEvent(
        action: String, detail: String, actor: String = OperatorIdentity.current, signal: StorageSignal? = nil,
        alongside change: (@Sendable (any StorageConnection) throws -> Void)? = nil
    ) async throws -> Int64 {
        try await write { db in
            try change?(db)
            if let signal { try db.notify(signal) }
            return try db.fetchValue(
                "INSERT INTO operator_event (occurred_at, actor, action, detail) VALUES (?, ?, ?, ?) RETURNING id",
                [Date(), actor, action, detail], as: Int64.self) ?? 0
        }
    }

    /// The operator events, newest first.
    public func operatorEvents(limit: Int = 100) async throws -> [OperatorEvent] {
        try await read { db in
            try db.fetchAll("SELECT id, occurred_at, actor, action, detail FROM operator_event ORDER BY id DESC LIMIT ?", [limit]).map { row in
                OperatorEvent(id: row["id"], occurredAt: row["occurred_at"], actor: row["actor"], action: row["action"], detail: row["detail"])
            }
        }
    }

    /// Closes every connection (before a restore replaces the file).
    /// See `StorageEngine.prepareForBulkWrites`.
    public func prepareForBulkWrites() async throws {
        try await engine.prepareForBulkWrites()
    }

    public func close() throws {
        try engine.close()
    }

    /// `true` when the database answers a trivial query.
    public func isReachable() async -> Bool {
        (try? await read { db in try db.fetchValue("SELECT 1", as: Int.self) }) == 1
    }
}

/// An administrative action recorded for accountability. Never holds personal data.
public struct OperatorEvent: Sendable, Equatable {
    public var id: Int64
    public var occurredAt: Date
    public var actor: String
    public var action: String
    public var detail: String
}

/// Who runs an operator command: the OS user, as the audit actor.
public enum OperatorIdentity {
    public static var current: String {
        "operator:" + (ProcessInfo.processInfo.environment["USER"] ?? String(getuid()))
    }
}
