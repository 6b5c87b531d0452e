import ConsentryCore
import Foundation

/// Charts drawn on the server as inline SVG: no chart library, no script, nothing fetched at
/// run time, and allowed by the pages' Content-Security-Policy (presentation attributes, no
/// `style`). Every chart has a title and a description for screen readers (`role="img"`);
/// every text in it is escaped here.
enum SVGChart {
    /// One coloured series of a bar chart.
    struct Series {
        var name: String
        var values: [Double]
        /// `1`...`6`: a class of the stylesheet (`series-1`), colours chosen to be told apart
        /// by people with a colour-vision deficiency.
        var tone: Int
    }

    /// Grouped vertical bars: one group per label, one bar per series; an optional dashed
    /// reference line (a deadline, say).
    static func bars(
        title: String, description: String, labels: [String], series: [Series], reference: (value: Double, label: String)? = nil,
        width: Int = 640, height: Int = 240
    ) -> String {
        let left = 36.0, right = 8.0, top = 12.0, bottom = 40.0
        let plotWidth = Double(width) - left - right, plotHeight = Double(height) - top - bottom
        let peak = max(4, (series.flatMap(\.values) + [reference?.value ?? 0]).max() ?? 4)
        let scale = niceCeiling(peak)
        var svg = open(title: title, description: description, width: width, height: height)
        // Horizontal grid with values.
        // Whole-number ticks when the scale allows (counts), else quarters.
        let ticks = [5, 4, 2].first { (scale / Double($0)).rounded() == scale / Double($0) } ?? 4
        for step in 0...ticks {
            let value = scale * Double(step) / Double(ticks)
            let y = top + plotHeight - plotHeight * value / scale
            svg += "<line class=\"grid\" x1=\"\(f(left))\" y1=\"\(f(y))\" x2=\"\(f(left + plotWidth))\" y2=\"\(f(y))\"/>"
            svg += "<text class=\"axis\" x=\"\(f(left - 4))\" y=\"\(f(y + 4))\" text-anchor=\"end\">\(escape(number(value)))</text>"
        }
        let groups = max(1, labels.count)
        let groupWidth = plotWidth / Double(groups)
        let barWidth = max(2, (groupWidth * 0.8) / Double(max(1, series.count)))
        for (index, label) in labels.enumerated() {
            let x0 = left + groupWidth * Double(index) + groupWidth * 0.1
            for (s, item) in series.enumerated() where index < item.values.count {
                let value = item.values[index]
                let h = plotHeight * value / scale
                svg += "<rect class=\"series-\(item.tone)\" x=\"\(f(x0 + barWidth * Double(s)))\" y=\"\(f(top + plotHeight - h))\" width=\"\(f(barWidth - 1))\" height=\"\(f(h))\">"
                svg += "<title>\(escape("\(item.name), \(label): \(number(value))"))</title></rect>"
            }
            if labels.count <= 16 || index % 2 == 0 {
                svg += "<text class=\"axis\" x=\"\(f(x0 + groupWidth * 0.4))\" y=\"\(f(top + plotHeight + 14))\" text-anchor=\"middle\">\(escape(label))</text>"
            }
        }
        if let reference {
            let y = top + plotHeight - plotHeight * reference.value / scale
            svg += "<line class=\"reference\" x1=\"\(f(left))\" y1=\"\(f(y))\" x2=\"\(f(left + plotWidth))\" y2=\"\(f(y))\"/>"
            svg += "<text class=\"axis\" x=\"\(f(left + plotWidth))\" y=\"\(f(y - 4))\" text-anchor=\"end\">\(escape(reference.label))</text>"
        }
        svg += legend(series.map { ($0.name, $0.tone) }, y: Double(height) - 8, left: left)
        return svg + "</svg>"
    }

    /// A dot per event on a time axis, one row per lane (a module, say).
    static func timeline(title: String, description: String, lanes: [String], events: [(lane: String, at: Date, label: String)], from: Date, to: Date, width: Int = 640) -> String {
        let rowHeight = 26.0, left = 170.0, right = 12.0, top = 10.0
        let height = Int(top + rowHeight * Double(max(1, lanes.count)) + 30)
        let span = max(1, to.timeIntervalSince(from))
        let plotWidth = Double(width) - left - right
        var svg = open(title: title, description: description, width: width, height: height)
        for (row, lane) in lanes.enumerated() {
            let y = top + rowHeight * Double(row) + rowHeight / 2
            svg += "<line class=\"grid\" x1=\"\(f(left))\" y1=\"\(f(y))\" x2=\"\(f(left + plotWidth))\" y2=\"\(f(y))\"/>"
            svg += "<text class=\"axis\" x=\"\(f(left - 8))\" y=\"\(f(y + 4))\" text-anchor=\"end\">\(escape(String(lane.prefix(26))))</text>"
            for event in events where event.lane == lane {
                let x = left + plotWidth * min(1, max(0, event.at.timeIntervalSince(from) / span))
                svg += "<circle class=\"series-\(row % 6 + 1)\" cx=\"\(f(x))\" cy=\"\(f(y))\" r=\"5\"><title>\(escape(event.label))</title></circle>"
            }
        }
        let axisY = top + rowHeight * Double(max(1, lanes.count)) + 16
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        svg += "<text class=\"axis\" x=\"\(f(left))\" y=\"\(f(axisY))\">\(escape(formatter.string(from: from)))</text>"
        svg += "<text class=\"axis\" x=\"\(f(left + plotWidth))\" y=\"\(f(axisY))\" text-anchor=\"end\">\(escape(formatter.string(from: to)))</text>"
        return svg + "</svg>"
    }

    // MARK: Helpers

    private static func open(title: String, description: String, width: Int, height: Int) -> String {
        let id = "chart-\(abs(title.hashValue % 1_000_000))"
        return "<svg class=\"chart\" role=\"img\" aria-labelledby=\"\(id)-t \(id)-d\" viewBox=\"0 0 \(width) \(height)\" xmlns=\"http://www.w3.org/2000/svg\">"
            + "<title id=\"\(id)-t\">\(escape(title))</title><desc id=\"\(id)-d\">\(escape(description))</desc>"
    }

    private static func legend(_ items: [(String, Int)], y: Double, left: Double) -> String {
        var x = left
        var svg = ""
        for (name, tone) in items {
            svg += "<rect class=\"series-\(tone)\" x=\"\(f(x))\" y=\"\(f(y - 9))\" width=\"10\" height=\"10\"/>"
            svg += "<text class=\"axis\" x=\"\(f(x + 14))\" y=\"\(f(y))\">\(escape(name))</text>"
            x += 24 + Double(name.count) * 6.5
        }
        return svg
    }

    /// 1, 2, 5 × 10^n at or above `value`.
    static func niceCeiling(_ value: Double) -> Double {
        let magnitude = pow(10, floor(log10(value)))
        for step in [1.0, 2, 2.5, 5, 10] where step * magnitude >= value { return step * magnitude }
        return 10 * magnitude
    }

    static func escape(_ text: String) -> String { ReportDocument.escape(text) }

    private static func number(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%.1f", value)
    }

    private static func f(_ value: Double) -> String { String(format: "%.1f", value) }
}
