import ConsentryCore
import Foundation

/// Dates, legal bases and retention periods as a reader of the page says them. Made once per
/// page, with its two date formatters (a formatter costs more than the dates it formats).
struct WebFormat {
    let language: WebLanguage
    let strings: [String: String]
    private let dateTimeFormatter: DateFormatter
    private let dateFormatter: DateFormatter

    init(_ language: WebLanguage) {
        self.language = language
        self.strings = WebStrings.table(language)
        dateTimeFormatter = Self.formatter(language, time: true)
        dateFormatter = Self.formatter(language, time: false)
    }

    func text(_ key: String) -> String { strings[key] ?? key }

    /// `2 Dec 2026, 06:30 UTC`, or `2. Dez. 2026, 06:30 UTC`.
    func dateTime(_ date: Date) -> String { dateTimeFormatter.string(from: date) + " UTC" }

    func date(_ date: Date) -> String { dateFormatter.string(from: date) }

    /// An ISO 8601 text from the audit trail, shown as `dateTime`.
    func dateTime(iso text: String) -> String { ISODate.parseDateOrDateTime(text).map { dateTime($0) } ?? text }

    private static func formatter(_ language: WebLanguage, time: Bool) -> DateFormatter {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: language == .de ? "de_DE" : "en_GB")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateStyle = .medium
        formatter.timeStyle = time ? .short : .none
        return formatter
    }

    /// A stored value as a person reads it: text as it is; a structured value (a contact
    /// medium, an identification) as its texts joined, without ids and flags.
    static func value(_ text: String) -> String {
        guard text.hasPrefix("{") || text.hasPrefix("["), let json = try? JSONValue.parse(Array(text.utf8)) else { return text }
        var parts: [String] = []
        func walk(_ value: JSONValue, key: String?) {
            switch value {
            case .string(let string) where !["id", "@type", "@referredType", "href"].contains(key ?? ""): parts.append(string)
            case .number(let number) where key != "id": parts.append(number)
            case .object(let members): for (name, member) in members { walk(member, key: name) }
            case .array(let items): for item in items { walk(item, key: key) }
            default: break
            }
        }
        walk(json, key: nil)
        return parts.joined(separator: ", ")
    }

    func legalBasis(_ basis: LegalBasis) -> String { text("basis_\(basis.rawValue)") + " (GDPR " + basis.article + ")" }

    /// `7 years after the end of our relationship`.
    func retention(_ retention: Purpose.Retention) -> String {
        let period = retention.period
        let parts = [(period.years, "unit_year"), (period.months, "unit_month"), (period.weeks, "unit_week"), (period.days, "unit_day")]
            .filter { $0.0 > 0 }.map { "\($0.0) \(text($0.0 == 1 ? $0.1 : $0.1 + "s"))" }
        return (parts.isEmpty ? "0 \(text("unit_days"))" : parts.joined(separator: " ")) + " " + text("retention_\(retention.from.rawValue)")
    }
}
