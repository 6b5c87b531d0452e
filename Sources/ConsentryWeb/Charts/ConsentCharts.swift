import ConsentryCore
import ConsentryStore
import Foundation

/// Consents given and withdrawn per purpose over time, one chart per consent purpose, by
/// month over the months that have any (at most the last eighteen), or by week when all the
/// activity fits in sixteen weeks.
struct ConsentCharts {
    let activity: [ComplianceReports.ConsentActivity]
    let policy: Policy
    let now: Date

    /// Each chart's title (shown as the figure's caption) and drawing.
    var charts: [[String: String]] {
        guard let first = activity.first.flatMap({ ISODate.parse($0.day) }) else { return [] }
        let weekly = now.timeIntervalSince(first) <= 16 * 7 * 86_400
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_GB")
        formatter.timeZone = TimeZone(identifier: "UTC")
        var labels: [String] = []
        var key: (String) -> String?
        if weekly {
            let start = now.addingTimeInterval(-16 * 7 * 86_400)
            formatter.dateFormat = "d MMM"
            labels = (0..<16).map { formatter.string(from: start.addingTimeInterval(Double($0) * 7 * 86_400)) }
            key = { day in
                guard let date = ISODate.parse(day) else { return nil }
                let index = Int(date.timeIntervalSince(start) / (7 * 86_400))
                return (0..<16).contains(index) ? labels[index] : nil
            }
        } else {
            formatter.dateFormat = "yyyy-MM"
            var months: [String] = []
            var cursor = now
            for _ in 0..<18 {
                months.insert(formatter.string(from: cursor), at: 0)
                cursor = Calendar(identifier: .gregorian).date(byAdding: .month, value: -1, to: cursor)!
            }
            let firstMonth = String(activity.first!.day.prefix(7))
            labels = months.drop { $0 < firstMonth }.map { $0 }
            if labels.isEmpty { labels = [months.last!] }
            key = { day in labels.contains(String(day.prefix(7))) ? String(day.prefix(7)) : nil }
        }
        let purposes = policy.purposes.values.filter { $0.legalBasis == .consent }.sorted { $0.id < $1.id }
        return purposes.map { purpose in
            var given = [Double](repeating: 0, count: labels.count)
            var withdrawn = [Double](repeating: 0, count: labels.count)
            for item in activity where item.purpose == purpose.id {
                guard let label = key(item.day), let index = labels.firstIndex(of: label) else { continue }
                if item.kind == .given { given[index] += Double(item.count) } else { withdrawn[index] += Double(item.count) }
            }
            let title = "\(purpose.name.text(for: "en")): consent given and withdrawn per \(weekly ? "week" : "month")"
            let svg = SVGChart.bars(
                title: title,
                description: "\(Int(given.reduce(0, +))) given and \(Int(withdrawn.reduce(0, +))) withdrawn in the period shown.",
                labels: labels, series: [.init(name: "given", values: given, tone: 2), .init(name: "withdrawn", values: withdrawn, tone: 5)])
            return ["title": title, "svg": svg]
        }
    }
}
