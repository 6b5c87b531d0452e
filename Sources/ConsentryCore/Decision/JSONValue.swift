/// A JSON value with ordered object members, read and written without Foundation.
///
/// The guarded read path parses each decrypted structured field, masks it and writes the
/// response; Foundation's coders cost tens of microseconds per object on Linux, this a few
/// hundred nanoseconds, and the per-request budget is tens of microseconds in all.
public indirect enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case let (.bool(a), .bool(b)): a == b
        case let (.number(a), .number(b)): a == b
        case let (.string(a), .string(b)): a == b
        case let (.array(a), .array(b)): a == b
        case let (.object(a), .object(b)): a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: false
        }
    }

    public static func int(_ value: Int) -> JSONValue { .number(String(value)) }

    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.0 == key }?.1
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let items) = self { return items }
        return nil
    }

    /// Replaces (or appends) the member `key` of an object; other values are left alone.
    public mutating func set(_ key: String, _ value: JSONValue?) {
        guard case .object(var members) = self else { return }
        if let index = members.firstIndex(where: { $0.0 == key }) {
            if let value { members[index].1 = value } else { members.remove(at: index) }
        } else if let value {
            members.append((key, value))
        }
        self = .object(members)
    }

    // MARK: Writing

    public var bytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(1024)
        write(to: &out)
        return out
    }

    public func write(to out: inout [UInt8]) {
        switch self {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: b ? "true".utf8 : "false".utf8)
        case .number(let n): out.append(contentsOf: n.utf8)
        case .string(let s): CanonicalJSON.appendQuoted(s, to: &out)
        case .array(let items):
            out.append(0x5B)
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(0x2C) }
                item.write(to: &out)
            }
            out.append(0x5D)
        case .object(let members):
            out.append(0x7B)
            for (i, member) in members.enumerated() {
                if i > 0 { out.append(0x2C) }
                CanonicalJSON.appendQuoted(member.0, to: &out)
                out.append(0x3A)
                member.1.write(to: &out)
            }
            out.append(0x7D)
        }
    }

    /// The same document indented by two spaces per level, members in their order: for
    /// people at a terminal (scripts get the compact `bytes`).
    public var indented: String {
        var out: [UInt8] = []
        writeIndented(to: &out, depth: 0)
        return String(decoding: out, as: UTF8.self)
    }

    private func writeIndented(to out: inout [UInt8], depth: Int) {
        func newline(_ level: Int) {
            out.append(0x0A)
            out += Array(repeating: 0x20, count: 2 * level)
        }
        switch self {
        case .array(let items) where !items.isEmpty:
            out.append(0x5B)
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(0x2C) }
                newline(depth + 1)
                item.writeIndented(to: &out, depth: depth + 1)
            }
            newline(depth)
            out.append(0x5D)
        case .object(let members) where !members.isEmpty:
            out.append(0x7B)
            for (i, member) in members.enumerated() {
                if i > 0 { out.append(0x2C) }
                newline(depth + 1)
                CanonicalJSON.appendQuoted(member.0, to: &out)
                out += [0x3A, 0x20]
                member.1.writeIndented(to: &out, depth: depth + 1)
            }
            newline(depth)
            out.append(0x7D)
        default: write(to: &out)
        }
    }

    // MARK: Reading

    public struct ParseError: Error, Equatable {
        public var offset: Int
    }

    /// Parses one JSON document (RFC 8259). Nesting deeper than 64 levels is refused.
    public static func parse(_ bytes: [UInt8]) throws(ParseError) -> JSONValue {
        var parser = Parser(bytes: bytes)
        let value = try parser.value(depth: 0)
        parser.skipSpace()
        guard parser.index == bytes.count else { throw ParseError(offset: parser.index) }
        return value
    }

    private struct Parser {
        let bytes: [UInt8]
        var index = 0

        mutating func skipSpace() {
            while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D || bytes[index] == 0x09 { index += 1 }
        }

        mutating func value(depth: Int) throws(ParseError) -> JSONValue {
            guard depth < 64 else { throw ParseError(offset: index) }
            skipSpace()
            guard index < bytes.count else { throw ParseError(offset: index) }
            switch bytes[index] {
            case 0x7B:
                index += 1
                var members: [(String, JSONValue)] = []
                skipSpace()
                if index < bytes.count, bytes[index] == 0x7D { index += 1; return .object(members) }
                while true {
                    skipSpace()
                    let key = try string()
                    skipSpace()
                    try expect(0x3A)
                    members.append((key, try value(depth: depth + 1)))
                    skipSpace()
                    if try separatorEnds(0x7D) { return .object(members) }
                }
            case 0x5B:
                index += 1
                var items: [JSONValue] = []
                skipSpace()
                if index < bytes.count, bytes[index] == 0x5D { index += 1; return .array(items) }
                while true {
                    items.append(try value(depth: depth + 1))
                    skipSpace()
                    if try separatorEnds(0x5D) { return .array(items) }
                }
            case 0x22: return .string(try string())
            case 0x74: try literal("true"); return .bool(true)
            case 0x66: try literal("false"); return .bool(false)
            case 0x6E: try literal("null"); return .null
            default:
                let start = index
                while index < bytes.count, (0x30...0x39).contains(bytes[index]) || [0x2D, 0x2B, 0x2E, 0x65, 0x45].contains(bytes[index]) { index += 1 }
                guard index > start, let text = String(validating: bytes[start..<index], as: UTF8.self), Double(text) != nil else {
                    throw ParseError(offset: start)
                }
                return .number(text)
            }
        }

        /// After a member or item: `true` at the closing byte, `false` after a comma.
        mutating func separatorEnds(_ close: UInt8) throws(ParseError) -> Bool {
            guard index < bytes.count else { throw ParseError(offset: index) }
            if bytes[index] == close { index += 1; return true }
            try expect(0x2C)
            return false
        }

        mutating func expect(_ byte: UInt8) throws(ParseError) {
            guard index < bytes.count, bytes[index] == byte else { throw ParseError(offset: index) }
            index += 1
        }

        mutating func literal(_ word: String) throws(ParseError) {
            let utf8 = Array(word.utf8)
            guard index + utf8.count <= bytes.count, Array(bytes[index..<index + utf8.count]) == utf8 else { throw ParseError(offset: index) }
            index += utf8.count
        }

        mutating func string() throws(ParseError) -> String {
            try expect(0x22)
            var out: [UInt8] = []
            while index < bytes.count {
                let byte = bytes[index]
                index += 1
                switch byte {
                case 0x22:
                    guard let text = String(validating: out, as: UTF8.self) else { throw ParseError(offset: index) }
                    return text
                case 0x5C:
                    guard index < bytes.count else { throw ParseError(offset: index) }
                    let escape = bytes[index]
                    index += 1
                    switch escape {
                    case 0x22, 0x5C, 0x2F: out.append(escape)
                    case 0x62: out.append(0x08)
                    case 0x66: out.append(0x0C)
                    case 0x6E: out.append(0x0A)
                    case 0x72: out.append(0x0D)
                    case 0x74: out.append(0x09)
                    case 0x75:
                        var scalar = try hex4()
                        if (0xD800..<0xDC00).contains(scalar) {
                            try expect(0x5C)
                            try expect(0x75)
                            let low = try hex4()
                            guard (0xDC00..<0xE000).contains(low) else { throw ParseError(offset: index) }
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        }
                        guard let unicode = Unicode.Scalar(scalar) else { throw ParseError(offset: index) }
                        out += Array(String(Character(unicode)).utf8)
                    default: throw ParseError(offset: index - 1)
                    }
                case 0x00..<0x20: throw ParseError(offset: index - 1)
                default: out.append(byte)
                }
            }
            throw ParseError(offset: index)
        }

        mutating func hex4() throws(ParseError) -> UInt32 {
            guard index + 4 <= bytes.count else { throw ParseError(offset: index) }
            var value: UInt32 = 0
            for _ in 0..<4 {
                let b = bytes[index]
                index += 1
                let digit: UInt32
                switch b {
                case 0x30...0x39: digit = UInt32(b - 0x30)
                case 0x41...0x46: digit = UInt32(b - 0x41 + 10)
                case 0x61...0x66: digit = UInt32(b - 0x61 + 10)
                default: throw ParseError(offset: index - 1)
                }
                value = value << 4 | digit
            }
            return value
        }
    }
}
