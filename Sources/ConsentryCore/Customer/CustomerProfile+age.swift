import Foundation

extension CustomerProfile {
    /// Whole years since the birth date on `date` (UTC), or `nil` for organizations and
    /// unknown birth dates.
    public func age(at date: Date) -> Int? {
        guard case .individual(let person) = engagedParty, let birth = person.birthDate else { return nil }
        return Self.age(birthDate: birth, at: date)
    }

    /// Whole years from a `YYYY-MM-DD` birth date to `date` (UTC).
    public static func age(birthDate birth: String, at date: Date) -> Int? {
        let parts = birth.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3 else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let today = calendar.dateComponents([.year, .month, .day], from: date)
        var age = today.year! - parts[0]
        if (today.month!, today.day!) < (parts[1], parts[2]) { age -= 1 }
        return age
    }
}
