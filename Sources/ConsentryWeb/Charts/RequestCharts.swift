import ConsentryCore
import Foundation

/// The console's pictures of the request queue: requests received and closed per week over
/// the last twelve weeks, and for the requests closed in that time, the days taken against
/// the days the deadline allowed.
struct RequestCharts {
    let requests: [DataSubjectRequest]
    let now: Date

    static let weeks = 12

    /// Each chart's title (shown as the figure's caption) and drawing.
    var charts: [[String: String]] {
        let week = 7 * 86_400.0
        let start = now.addingTimeInterval(-week * Double(Self.weeks))
        func bucket(_ date: Date) -> Int? {
            let index = Int(date.timeIntervalSince(start) / week)
            return (0..<Self.weeks).contains(index) ? index : nil
        }
        var received = [Double](repeating: 0, count: Self.weeks)
        var closed = [Double](repeating: 0, count: Self.weeks)
        for request in requests {
            if let index = bucket(request.receivedAt) { received[index] += 1 }
            if let at = request.closedAt, let index = bucket(at) { closed[index] += 1 }
        }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_GB")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "d MMM"
        let labels = (0..<Self.weeks).map { formatter.string(from: start.addingTimeInterval(week * Double($0))) }
        let perWeekTitle = "Requests received and closed per week"
        let perWeek = SVGChart.bars(
            title: perWeekTitle,
            description: "Over the last \(Self.weeks) weeks: \(Int(received.reduce(0, +))) received, \(Int(closed.reduce(0, +))) closed.",
            labels: labels, series: [.init(name: "received", values: received, tone: 1), .init(name: "closed", values: closed, tone: 2)])

        let recent = requests.filter { $0.closedAt.map { $0 >= start } ?? false }.sorted { $0.closedAt! < $1.closedAt! }.suffix(16)
        guard !recent.isEmpty else { return [["title": perWeekTitle, "svg": perWeek]] }
        let taken = recent.map { $0.closedAt!.timeIntervalSince($0.receivedAt) / 86_400 }
        let allowed = recent.map { $0.dueAt.timeIntervalSince($0.receivedAt) / 86_400 }
        let late = zip(taken, allowed).filter { $0 > $1 }.count
        let timeTitle = "Time to close against the deadline (days), for the requests closed"
        let timeToClose = SVGChart.bars(
            title: timeTitle,
            description: "\(recent.count) requests closed in the last \(Self.weeks) weeks; \(late) after their deadline.",
            labels: recent.map { String($0.id.prefix(6)) },
            series: [.init(name: "days taken", values: taken.map { $0.rounded() }, tone: 3), .init(name: "days allowed", values: allowed.map { $0.rounded() }, tone: 4)])
        return [["title": perWeekTitle, "svg": perWeek], ["title": timeTitle, "svg": timeToClose]]
    }
}
