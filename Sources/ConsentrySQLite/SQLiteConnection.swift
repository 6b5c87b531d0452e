import ConsentryStorage
import Foundation
import GRDB

/// A GRDB `Database` seen through the storage contract. Statements are cached per SQL text.
struct SQLiteConnection: StorageConnection {
    let db: Database
    var dialect: SQLDialect { .sqlite }

    @discardableResult
    func execute(_ sql: String, _ arguments: [(any SQLValueConvertible)?]) throws -> Int {
        try translating {
            try db.cachedStatement(sql: sql).execute(arguments: Self.arguments(arguments))
            return db.changesCount
        }
    }

    func fetchAll(_ sql: String, _ arguments: [(any SQLValueConvertible)?]) throws -> [SQLRow] {
        var rows: [SQLRow] = []
        try forEach(sql, arguments) { rows.append($0) }
        return rows
    }

    func forEach(_ sql: String, _ arguments: [(any SQLValueConvertible)?], _ body: (SQLRow) throws -> Void) throws {
        try translating {
            let statement = try db.cachedStatement(sql: sql)
            let columns = statement.columnNames
            // Values straight from the statement: no copied GRDB rows on the read path.
            let cursor = try Row.fetchCursor(statement, arguments: Self.arguments(arguments))
            let count = CInt(columns.count)
            while try cursor.next() != nil {
                var values: [SQLValue] = []
                values.reserveCapacity(columns.count)
                for index in 0..<count {
                    values.append(Self.value(DatabaseValue(sqliteStatement: statement.sqliteStatement, index: index)))
                }
                try body(SQLRow(columns: columns, values: values))
            }
        }
    }

    func savepoint(_ body: () throws -> Void) throws {
        try db.inSavepoint {
            try body()
            return .commit
        }
    }

    /// One server per SQLite file: nobody to tell.
    func notify(_ signal: StorageSignal) throws {}

    func afterCommit(_ body: @escaping @Sendable () -> Void) {
        db.afterNextTransaction { _ in body() }
    }

    /// AUTOINCREMENT's own counter (never reused); the writer's lock keeps it ours.
    func reserveSequence(table: String, column: String, count: Int) throws -> [Int64] {
        let last = try fetchValue(Int64.self, "SELECT seq FROM sqlite_sequence WHERE name = ?", [table]) ?? 0
        return count > 0 ? Array(last + 1...last + Int64(count)) : []
    }

    /// SQLite has one writer at a time already: nothing more to take.
    func lock(_ resource: StorageLock) throws {}

    private func translating<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as DatabaseError {
            throw Self.failure(error)
        }
    }

    static func failure(_ error: DatabaseError) -> StorageFailure {
        // GRDB's description leaves out arguments (publicStatementArguments = false).
        let message = error.message ?? "\(error.resultCode)"
        switch error.extendedResultCode {
        case .SQLITE_CONSTRAINT_UNIQUE, .SQLITE_CONSTRAINT_PRIMARYKEY: return StorageFailure(.uniqueViolation, message)
        case .SQLITE_CONSTRAINT_FOREIGNKEY: return StorageFailure(.foreignKeyViolation, message)
        default: break
        }
        switch error.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED: return StorageFailure(.conflict, message)
        case .SQLITE_CANTOPEN, .SQLITE_IOERR, .SQLITE_NOTADB, .SQLITE_CORRUPT: return StorageFailure(.unavailable, message)
        default: return StorageFailure(.other, message)
        }
    }

    /// Typed as optional existentials so GRDB takes its closure-based initialiser: the generic
    /// one maps through a key path that the runtime instantiates on every call.
    static func arguments(_ values: [(any SQLValueConvertible)?]) -> StatementArguments {
        StatementArguments(values.map { value -> (any DatabaseValueConvertible)? in
            switch value?.sqlValue ?? .null {
            case .null: DatabaseValue.null
            case .integer(let number): number.databaseValue
            case .real(let number): number.databaseValue
            case .text(let text): text.databaseValue
            case .blob(let data): data.databaseValue
            }
        })
    }

    static func value(_ value: DatabaseValue) -> SQLValue {
        switch value.storage {
        case .null: .null
        case .int64(let number): .integer(number)
        case .double(let number): .real(number)
        case .string(let text): .text(text)
        case .blob(let data): .blob(data)
        }
    }
}
