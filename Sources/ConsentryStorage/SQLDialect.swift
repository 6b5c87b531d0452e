/// The few places where the two engines' SQL differs. Everything else is written once, in
/// the subset both speak: `?` placeholders, `ON CONFLICT`, `RETURNING`, `LIMIT/OFFSET`.
public enum SQLDialect: String, Sendable {
    case sqlite
    case postgres

    /// Appended to a `SELECT` that reads rows the transaction will then change: PostgreSQL
    /// locks them against concurrent writers on other servers; SQLite has one writer already.
    public var forUpdate: String { self == .postgres ? " FOR UPDATE" : "" }

    /// Appended to a claim query: rows another server holds are skipped, not waited for.
    public var forUpdateSkipLocked: String { self == .postgres ? " FOR UPDATE SKIP LOCKED" : "" }
}
