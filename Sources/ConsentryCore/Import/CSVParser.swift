/// An RFC 4180 CSV parser fed one physical line at a time, so a caller can stream a file
/// with constant memory and still report the line on which each record starts.
///
/// Quoted fields may contain commas, doubled quotes and line breaks.
public struct CSVParser: Sendable {
    public struct Record: Sendable, Equatable {
        public var fields: [String]
        /// The 1-based line on which the record starts.
        public var line: Int
    }

    public enum ParseError: Error, Equatable, CustomStringConvertible {
        case strayQuote(line: Int)
        case unterminatedQuote(line: Int)

        public var description: String {
            switch self {
            case .strayQuote(let line): "line \(line): a quote inside an unquoted field"
            case .unterminatedQuote(let line): "line \(line): a quoted field is never closed"
            }
        }
    }

    private var fields: [String] = []
    private var current: [UInt8] = []
    private var inQuotes = false
    private var fieldWasQuoted = false
    private var startLine = 0

    public init() {}

    /// Consumes one line (without its line break). Returns a record when one is complete.
    /// - Throws: `ParseError.strayQuote` for a quote in the middle of an unquoted field.
    public mutating func feed(_ line: Substring.UTF8View, lineNumber: Int) throws -> Record? {
        if !inQuotes { startLine = lineNumber }
        var bytes = Array(line)
        if bytes.last == 0x0D { bytes.removeLast() }  // CRLF files
        var index = 0
        if inQuotes { current.append(0x0A) }  // the line break was inside a quoted field
        while index < bytes.count {
            let byte = bytes[index]
            if inQuotes {
                if byte == 0x22 {
                    if index + 1 < bytes.count, bytes[index + 1] == 0x22 {
                        current.append(0x22)
                        index += 1
                    } else {
                        inQuotes = false
                    }
                } else {
                    current.append(byte)
                }
            } else if byte == 0x2C {
                endField()
            } else if byte == 0x22 {
                guard current.isEmpty, !fieldWasQuoted else { throw resetting(.strayQuote(line: lineNumber)) }
                inQuotes = true
                fieldWasQuoted = true
            } else {
                guard !fieldWasQuoted else { throw resetting(.strayQuote(line: lineNumber)) }
                current.append(byte)
            }
            index += 1
        }
        if inQuotes { return nil }
        endField()
        defer { fields = [] }
        return Record(fields: fields, line: startLine)
    }

    /// Call at end of input.
    /// - Throws: `ParseError.unterminatedQuote` if a quoted field was left open.
    public mutating func finish() throws {
        if inQuotes { throw resetting(.unterminatedQuote(line: startLine)) }
    }

    private mutating func endField() {
        fields.append(String(decoding: current, as: UTF8.self))
        current.removeAll(keepingCapacity: true)
        fieldWasQuoted = false
    }

    /// Drops the broken record so the next line starts fresh.
    private mutating func resetting(_ error: ParseError) -> ParseError {
        fields = []
        current = []
        inQuotes = false
        fieldWasQuoted = false
        return error
    }
}
