import ConsentryCore
import Foundation

/// Dates, legal bases and retention periods as a reader of the page says them.
struct WebFormat: Sendable {
    let language: WebLanguage
    let strings: [String: String]

    init(_ language: WebLanguage) {
        self.language = language
        self.strings = WebStrings.table(language)
    }

    func text(_ key: String) -> String { strings[key] ?? key }

    /// `2 Dec 2026, 06:30` (UTC), or `2. Dez. 2026, 06:30`.
    func dateTime(_ date: Date) -> String { formatter(time: true).string(from: date) + " UTC" }

    func date(_ date: Date) -> String { formatter(time: false).string(from: date) }

    /// An ISO 8601 text from the audit trail, shown as `dateTime`.
    func dateTime(iso text: String) -> String { ISODate.parseDateOrDateTime(text).map { dateTime($0) } ?? text }

    private func formatter(time: Bool) -> DateFormatter {
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
