import ConsentryStorage
import Foundation
import NIOCore
import PostgresNIO
import Synchronization

/// Turns the contract's SQL (`?` and `?N` placeholders) into PostgreSQL's (`$N`), once per
/// distinct text, and binds values with the types both engines agree on.
enum PostgresStatement {
    private static let translations = Mutex<[String: String]>([:])

    static func translate(_ sql: String) -> String {
        if let known = translations.withLock({ $0[sql] }) { return known }
        var output = ""
        output.reserveCapacity(sql.utf8.count + 8)
        var highest = 0
        var inString = false
        var characters = sql.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = characters.next()
        while let character = pending {
            pending = characters.next()
            if character == "'" { inString.toggle() }
            guard character == "?", !inString else {
                output.unicodeScalars.append(character)
                continue
            }
            var digits = ""
            while let next = pending, next.properties.numericType == .decimal, next.isASCII {
                digits.unicodeScalars.append(next)
                pending = characters.next()
            }
            let number = Int(digits) ?? (highest + 1)
            highest = max(highest, number)
            output += "$\(number)"
        }
        translations.withLock { $0[sql] = output }
        return output
    }

    static func query(_ sql: String, _ arguments: [(any SQLValueConvertible)?]) -> PostgresQuery {
        var bindings = PostgresBindings(capacity: arguments.count)
        for argument in arguments {
            switch argument?.sqlValue ?? .null {
            case .null: bindings.appendNull()
            case .integer(let number): bindings.append(number)
            case .real(let number): bindings.append(number)
            case .text(let text): bindings.append(text)
            case .blob(let data): bindings.append(ByteBuffer(bytes: data))
            }
        }
        return PostgresQuery(unsafeSQL: translate(sql), binds: bindings)
    }

    static func row(_ row: PostgresRow) throws -> SQLRow {
        var columns: [String] = []
        var values: [SQLValue] = []
        for cell in row {
            columns.append(cell.columnName)
            values.append(try value(cell))
        }
        return SQLRow(columns: columns, values: values)
    }

    static func value(_ cell: PostgresCell) throws -> SQLValue {
        guard cell.bytes != nil else { return .null }
        switch cell.dataType {
        case .int2, .int4, .int8, .oid: return .integer(try cell.decode(Int64.self))
        case .bool: return .integer(try cell.decode(Bool.self) ? 1 : 0)
        case .float4, .float8: return .real(try cell.decode(Double.self))
        case .numeric: return .real(Double(try cell.decode(String.self)) ?? 0)
        case .bytea:
            var buffer = try cell.decode(ByteBuffer.self)
            return .blob(Data(buffer.readBytes(length: buffer.readableBytes) ?? []))
        default: return .text(try cell.decode(String.self))
        }
    }
}
