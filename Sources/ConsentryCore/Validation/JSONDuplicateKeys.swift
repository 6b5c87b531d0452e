/// Finds an object key that appears twice in the same JSON object. Parsers disagree on
/// which value wins (Foundation keeps the first, most proxies and WAFs the last), so a body
/// with duplicates means one thing to Consentry and another to whatever inspected it first:
/// such bodies are refused, not interpreted.
public enum JSONDuplicateKeys {
    /// The first duplicated key's JSON path (`status`, `contactMedium[0].characteristic`...),
    /// or `nil`. Malformed JSON is left to the decoder, which reports it precisely.
    public static func first(in bytes: some Collection<UInt8>) -> String? {
        var scanner = Scanner(bytes: Array(bytes))
        return scanner.scanValue(path: "")
    }

    private struct Scanner {
        let bytes: [UInt8]
        var index = 0
        var duplicate: String?

        init(bytes: [UInt8]) { self.bytes = bytes }

        mutating func skipSpace() {
            while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D || bytes[index] == 0x09 { index += 1 }
        }

        /// Scans one value; returns the path of a duplicate found in it.
        mutating func scanValue(path: String) -> String? {
            skipSpace()
            guard index < bytes.count else { return nil }
            switch bytes[index] {
            case UInt8(ascii: "{"): return scanObject(path: path)
            case UInt8(ascii: "["): return scanArray(path: path)
            case UInt8(ascii: "\""):
                _ = scanString()
                return nil
            default:
                // Numbers, true, false, null: up to the next delimiter.
                while index < bytes.count, !",}] \n\r\t".utf8.contains(bytes[index]) { index += 1 }
                return nil
            }
        }

        mutating func scanObject(path: String) -> String? {
            index += 1
            var seen = Set<[UInt8]>()
            while true {
                skipSpace()
                guard index < bytes.count else { return nil }
                if bytes[index] == UInt8(ascii: "}") {
                    index += 1
                    return nil
                }
                if bytes[index] == UInt8(ascii: ",") {
                    index += 1
                    continue
                }
                guard bytes[index] == UInt8(ascii: "\""), let key = scanString() else { return nil }
                let name = String(decoding: key, as: UTF8.self)
                let child = path.isEmpty ? name : path + "." + name
                if !seen.insert(key).inserted { return child }
                skipSpace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return nil }
                index += 1
                if let found = scanValue(path: child) { return found }
            }
        }

        mutating func scanArray(path: String) -> String? {
            index += 1
            var position = 0
            while true {
                skipSpace()
                guard index < bytes.count else { return nil }
                if bytes[index] == UInt8(ascii: "]") {
                    index += 1
                    return nil
                }
                if bytes[index] == UInt8(ascii: ",") {
                    index += 1
                    position += 1
                    continue
                }
                let before = index
                if let found = scanValue(path: "\(path)[\(position)]") { return found }
                if index == before { return nil }  // malformed: leave it to the decoder
            }
        }

        /// The raw bytes of a string's content (escapes kept as written, which is enough to
        /// compare keys: the same key written two ways is rare and still caught by the decoder's own rules).
        mutating func scanString() -> [UInt8]? {
            index += 1
            let start = index
            while index < bytes.count {
                switch bytes[index] {
                case UInt8(ascii: "\\"): index += 2
                case UInt8(ascii: "\""):
                    defer { index += 1 }
                    return Array(bytes[start..<index])
                default: index += 1
                }
            }
            return nil
        }
    }
}
