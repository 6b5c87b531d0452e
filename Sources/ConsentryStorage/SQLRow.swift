import Foundation
/// One result row, its values copied out of the engine so it outlives the statement.
public struct SQLRow: Sendable {
    public let columns: [String]
    public let values: [SQLValue]

    public init(columns: [String], values: [SQLValue]) {
        self.columns = columns
        self.values = values
    }

    /// The value of `column` (`.null` when the row has no such column).
    public func value(_ column: String) -> SQLValue {
        if let index = columns.firstIndex(of: column) { return values[index] }
        return .null
    }

    /// The value at `index`, `.null` past the end.
    public func value(at index: Int) -> SQLValue { index < values.count ? values[index] : .null }

    /// A non-null value. A null or mistyped value is a broken schema invariant, as in GRDB.
    public subscript<Value: SQLValueConvertible>(_ column: String) -> Value {
        guard let value = Value.fromSQL(value(column)) else {
            preconditionFailure("column \(column) is null or not a \(Value.self)")
        }
        return value
    }

    /// A nullable value.
    public subscript<Value: SQLValueConvertible>(_ column: String) -> Value? {
        Value.fromSQL(value(column))
    }

    public subscript<Value: SQLValueConvertible>(_ index: Int) -> Value {
        guard let value = Value.fromSQL(value(at: index)) else {
            preconditionFailure("column \(index) is null or not a \(Value.self)")
        }
        return value
    }

    public subscript<Value: SQLValueConvertible>(_ index: Int) -> Value? {
        Value.fromSQL(value(at: index))
    }
}

extension SQLRow: CustomStringConvertible {
    /// Every column and value, blobs in hex: for tests that scan what a table stores.
    public var description: String {
        zip(columns, values).map { column, value in
            let text: String
            switch value {
            case .null: text = "NULL"
            case .integer(let number): text = String(number)
            case .real(let number): text = String(number)
            case .text(let string): text = "'" + string + "'"
            case .blob(let data): text = "x'" + data.map { String(format: "%02x", $0) }.joined() + "'"
            }
            return column + ":" + text
        }.joined(separator: " ")
    }
}
