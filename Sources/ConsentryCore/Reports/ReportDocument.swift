import Foundation

/// A compliance report as data: sections of facts and tables. One model renders to JSON, to
/// readable HTML and, for its tables, to CSV, so every report has all three without three
/// implementations that could disagree.
public struct ReportDocument: Sendable, Equatable {
    public var kind: String
    public var title: String
    public var generatedAt: Date
    public var sections: [Section]

    public struct Section: Sendable, Equatable {
        public var title: String
        public var note: String?
        public var content: Content

        public init(title: String, note: String? = nil, content: Content) {
            self.title = title
            self.note = note
            self.content = content
        }
    }

    public enum Content: Sendable, Equatable {
        /// Label → value pairs, in order.
        case facts([(String, String)])
        case table(columns: [String], rows: [[String]])

        public static func == (lhs: Content, rhs: Content) -> Bool {
            switch (lhs, rhs) {
            case let (.facts(a), .facts(b)): a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
            case let (.table(c1, r1), .table(c2, r2)): c1 == c2 && r1 == r2
            default: false
            }
        }
    }

    public init(kind: String, title: String, generatedAt: Date, sections: [Section]) {
        self.kind = kind
        self.title = title
        self.generatedAt = generatedAt
        self.sections = sections
    }

    // MARK: Rendering

    public var json: JSONValue {
        .object([
            ("report", .string(kind)), ("title", .string(title)), ("generatedAt", .string(ISOTimestamp.format(generatedAt))),
            ("sections", .array(sections.map { section in
                var members: [(String, JSONValue)] = [("title", .string(section.title))]
                if let note = section.note { members.append(("note", .string(note))) }
                switch section.content {
                case .facts(let facts):
                    members.append(("facts", .object(facts.map { ($0.0, .string($0.1)) })))
                case .table(let columns, let rows):
                    members.append(("columns", .array(columns.map { .string($0) })))
                    members.append(("rows", .array(rows.map { row in .array(row.map { .string($0) }) })))
                }
                return .object(members)
            })),
        ])
    }

    /// A self-contained HTML page (inline style, no scripts, every value escaped).
    public var html: String {
        var out = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>\(Self.escape(title))</title>
            <style>body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}h1{font-size:1.5em}h2{font-size:1.15em;margin-top:1.6em}\
            table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left;vertical-align:top}\
            th{background:#f3f3f3}.note{color:#555}dl{display:grid;grid-template-columns:max-content auto;gap:.2em 1em}dt{font-weight:600}</style>
            </head><body>
            <h1>\(Self.escape(title))</h1><p class="note">Generated \(ISOTimestamp.format(generatedAt)) by Consentry.</p>

            """
        for section in sections {
            out += "<h2>\(Self.escape(section.title))</h2>\n"
            if let note = section.note { out += "<p class=\"note\">\(Self.escape(note))</p>\n" }
            switch section.content {
            case .facts(let facts):
                out += "<dl>" + facts.map { "<dt>\(Self.escape($0.0))</dt><dd>\(Self.escape($0.1))</dd>" }.joined() + "</dl>\n"
            case .table(let columns, let rows):
                out += "<table><thead><tr>" + columns.map { "<th>\(Self.escape($0))</th>" }.joined() + "</tr></thead><tbody>\n"
                for row in rows { out += "<tr>" + row.map { "<td>\(Self.escape($0))</td>" }.joined() + "</tr>\n" }
                if rows.isEmpty { out += "<tr><td colspan=\"\(columns.count)\">none</td></tr>\n" }
                out += "</tbody></table>\n"
            }
        }
        return out + "</body></html>\n"
    }

    /// The tables as CSV (RFC 4180): each preceded by a `# section` line when there are several.
    public var csv: String {
        let tables = sections.compactMap { section -> (String, [String], [[String]])? in
            if case .table(let columns, let rows) = section.content { return (section.title, columns, rows) }
            return nil
        }
        var lines: [String] = []
        for (title, columns, rows) in tables {
            if tables.count > 1 { lines.append("# " + title) }
            lines.append(columns.map(Self.csvField).joined(separator: ","))
            lines += rows.map { $0.map(Self.csvField).joined(separator: ",") }
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    /// Quotes a field when it holds a separator, a quote or a line break; a leading `=`, `+`,
    /// `-` or `@` is prefixed with `'` so spreadsheets do not run it as a formula.
    public static func csvField(_ text: String) -> String {
        if let first = text.first, "=+-@".contains(first) { return csvQuoted("'" + text) }
        return csvQuoted(text)
    }

    /// RFC 4180 quoting only, for data that must round-trip exactly (a customer's own export).
    public static func csvQuoted(_ text: String) -> String {
        text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
            ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
    }
}
