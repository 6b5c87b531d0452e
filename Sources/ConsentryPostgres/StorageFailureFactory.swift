import ConsentryStorage
import PostgresNIO

/// PostgreSQL errors as storage failures, by SQLSTATE. Only the server's message is kept:
/// its `detail` may quote the values of a violated key.
enum StorageFailureFactory {
    static func badURL(_ message: String) -> StorageFailure {
        StorageFailure(.unavailable, "bad database URL: \(message)")
    }

    static func failure(_ error: any Error) -> any Error {
        if error is StorageFailure { return error }
        // Errors the transaction's body threw (a version conflict, a wrong key) pass unchanged.
        guard let psql = error as? PSQLError else { return error }
        guard let state = psql.serverInfo?[.sqlState] else {
            return StorageFailure(.unavailable, "the database connection failed (\(psql.code))")
        }
        let message = psql.serverInfo?[.message] ?? state
        switch state {
        case "23505": return StorageFailure(.uniqueViolation, message)
        case "23503": return StorageFailure(.foreignKeyViolation, message)
        case "40001", "40P01", "55P03": return StorageFailure(.conflict, message)
        case _ where state.hasPrefix("08") || state.hasPrefix("57"): return StorageFailure(.unavailable, message)
        default: return StorageFailure(.other, "\(state): \(message)")
        }
    }
}
