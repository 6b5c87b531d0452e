import Foundation

/// An ISO 8601 duration (`P10Y`, `P18M`, `P2Y6M`, `P30D`, `PT12H`), added to dates in UTC on
/// the Gregorian calendar, so `P1M` from 31 January is the last day of February.
public struct ISODuration: Sendable, Equatable, CustomStringConvertible {
    public var years = 0, months = 0, weeks = 0, days = 0, hours = 0, minutes = 0, seconds = 0
    public let description: String

    /// - Returns: `nil` unless `text` is a well-formed, non-empty duration with integer parts.
    public init?(_ text: String) {
        description = text
        var chars = Substring(text)
        guard chars.first == "P", chars.count > 1 else { return nil }
        chars = chars.dropFirst()
        var inTime = false
        var number = ""
        var seen = Set<Character>()
        var lastOrder = -1
        for c in chars {
            if c == "T" {
                guard !inTime, number.isEmpty else { return nil }
                inTime = true
                continue
            }
            if c.isASCII, c.isNumber { number.append(c); continue }
            guard let value = Int(number), number.count <= 6 else { return nil }
            number = ""
            let key = Character(inTime ? c.lowercased() : String(c))
            guard !seen.contains(key) else { return nil }
            seen.insert(key)
            let order: Int
            switch (inTime, c) {
            case (false, "Y"): years = value; order = 0
            case (false, "M"): months = value; order = 1
            case (false, "W"): weeks = value; order = 2
            case (false, "D"): days = value; order = 3
            case (true, "H"): hours = value; order = 4
            case (true, "M"): minutes = value; order = 5
            case (true, "S"): seconds = value; order = 6
            default: return nil
            }
            guard order > lastOrder else { return nil }
            lastOrder = order
        }
        guard number.isEmpty, !seen.isEmpty, !(inTime && lastOrder < 4) else { return nil }
    }

    /// A whole number of months (`P3M`).
    public init(months: Int) {
        self.months = months
        description = "P\(months)M"
    }

    /// Made of months only, so it adds up month by month from the same start.
    public var isMonthsOnly: Bool { months > 0 && years == 0 && weeks == 0 && days == 0 && hours == 0 && minutes == 0 && seconds == 0 }

    /// `date` plus this duration.
    public func added(to date: Date) -> Date {
        var components = DateComponents()
        components.year = years
        components.month = months
        components.day = days + weeks * 7
        components.hour = hours
        components.minute = minutes
        components.second = seconds
        return Self.calendar.date(byAdding: components, to: date) ?? .distantFuture
    }

    /// `date` minus this duration.
    public func subtracted(from date: Date) -> Date {
        var components = DateComponents()
        components.year = -years
        components.month = -months
        components.day = -(days + weeks * 7)
        components.hour = -hours
        components.minute = -minutes
        components.second = -seconds
        return Self.calendar.date(byAdding: components, to: date) ?? .distantPast
    }

    private static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()
}
