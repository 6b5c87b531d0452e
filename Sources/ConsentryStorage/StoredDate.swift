import Foundation

/// The stored text form of dates, without Foundation's formatters (they cost more than the
/// query on hot paths).
public enum StoredDate {
    /// `2026-12-01 18:27:24.123` (UTC, milliseconds).
    public static func format(_ date: Date) -> String {
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded())
        var seconds = time_t(milliseconds.quotientAndRemainder(dividingBy: 1000).quotient)
        var fraction = Int(milliseconds % 1000)
        if fraction < 0 {
            fraction += 1000
            seconds -= 1
        }
        var parts = tm()
        gmtime_r(&seconds, &parts)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(23)
        func append(_ value: Int, digits: Int) {
            var divisor = 1
            for _ in 1..<digits { divisor *= 10 }
            var rest = value
            while divisor > 0 {
                bytes.append(UInt8(ascii: "0") + UInt8(rest / divisor % 10))
                rest %= divisor
                divisor /= 10
            }
        }
        append(Int(parts.tm_year) + 1900, digits: 4)
        bytes.append(UInt8(ascii: "-"))
        append(Int(parts.tm_mon) + 1, digits: 2)
        bytes.append(UInt8(ascii: "-"))
        append(Int(parts.tm_mday), digits: 2)
        bytes.append(UInt8(ascii: " "))
        append(Int(parts.tm_hour), digits: 2)
        bytes.append(UInt8(ascii: ":"))
        append(Int(parts.tm_min), digits: 2)
        bytes.append(UInt8(ascii: ":"))
        append(Int(parts.tm_sec), digits: 2)
        bytes.append(UInt8(ascii: "."))
        append(fraction, digits: 3)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Parses `yyyy-MM-dd`, optionally followed by ` HH:mm[:ss[.fff]]` (or `T` as the
    /// separator) and an optional `Z`: every form GRDB reads for dates stored as text.
    public static func parse(_ text: String) -> Date? {
        var utf8 = Array(text.utf8)
        if utf8.last == UInt8(ascii: "Z") { utf8.removeLast() }
        func number(_ start: Int, _ count: Int) -> Int? {
            guard start + count <= utf8.count else { return nil }
            var value = 0
            for byte in utf8[start..<start + count] {
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            return value
        }
        guard utf8.count >= 10, utf8[4] == UInt8(ascii: "-"), utf8[7] == UInt8(ascii: "-"),
            let year = number(0, 4), let month = number(5, 2), let day = number(8, 2)
        else { return nil }
        var hour = 0, minute = 0, second = 0
        var fraction = 0.0  // in seconds, from at most microsecond digits
        if utf8.count > 10 {
            guard utf8[10] == UInt8(ascii: " ") || utf8[10] == UInt8(ascii: "T"), let h = number(11, 2),
                utf8.count >= 16, utf8[13] == UInt8(ascii: ":"), let m = number(14, 2)
            else { return nil }
            hour = h
            minute = m
            if utf8.count > 16 {
                guard utf8[16] == UInt8(ascii: ":"), let s = number(17, 2) else { return nil }
                second = s
                if utf8.count > 19 {
                    guard utf8[19] == UInt8(ascii: "."), utf8.count > 20 else { return nil }
                    var micros = 0
                    var digits = 0
                    for byte in utf8[20...] {
                        guard byte >= 48, byte <= 57 else { return nil }
                        if digits < 6 {
                            micros = micros * 10 + Int(byte - 48)
                            digits += 1
                        }
                    }
                    while digits < 6 {
                        micros *= 10
                        digits += 1
                    }
                    fraction = Double(micros) / 1_000_000
                }
            }
        }
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month - 1)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(hour)
        parts.tm_min = Int32(minute)
        parts.tm_sec = Int32(second)
        let seconds = timegm(&parts)
        guard seconds != -1 || (year == 1969) else { return nil }
        return Date(timeIntervalSince1970: TimeInterval(seconds) + fraction)
    }
}
