import Foundation

/// Checks a customer profile field by field and reports every problem with its path.
public struct CustomerValidator: Sendable {
    public static let maxNameLength = 200
    public static let maxTextLength = 500
    public static let maxEmailLength = 254
    public static let maxIdentifierLength = 64
    public static let maxListCount = 20

    /// The date against which birth dates and minority are judged.
    public var today: Date

    public init(today: Date = Date()) { self.today = today }

    /// - Throws: `ValidationError` listing every issue, if any.
    public func validate(_ draft: CustomerDraft) throws {
        var issues: [ValidationIssue] = []
        if let externalId = draft.externalId {
            checkText(externalId, path: "externalId", max: Self.maxIdentifierLength, &issues)
        }
        issues += self.issues(in: draft.profile)
        if !issues.isEmpty { throw ValidationError(issues: issues) }
    }

    /// Every issue found in `profile`; empty when valid.
    public func issues(in profile: CustomerProfile) -> [ValidationIssue] {
        var issues: [ValidationIssue] = []
        switch profile.engagedParty {
        case .individual(let person):
            let p = "engagedParty"
            checkText(person.givenName, path: "\(p).givenName", max: Self.maxNameLength, &issues)
            checkText(person.familyName, path: "\(p).familyName", max: Self.maxNameLength, &issues)
            checkOptionalText(person.middleName, path: "\(p).middleName", max: Self.maxNameLength, &issues)
            checkOptionalText(person.title, path: "\(p).title", max: 40, &issues)
            if let birthDate = person.birthDate {
                if let date = ISODate.parse(birthDate) {
                    if date > today {
                        issues.append(.init(path: "\(p).birthDate", code: "date_in_future", message: "must not be in the future"))
                    } else if ISODate.years(from: date, to: today) > 130 {
                        issues.append(.init(path: "\(p).birthDate", code: "date_out_of_range", message: "must be within the last 130 years"))
                    }
                } else {
                    issues.append(.init(path: "\(p).birthDate", code: "invalid_date", message: "must be an ISO 8601 calendar date YYYY-MM-DD"))
                }
            }
            if let gender = person.gender, !Self.genders.contains(gender) {
                issues.append(.init(path: "\(p).gender", code: "invalid_enum", message: "must be one of \(Self.genders.sorted().joined(separator: ", "))"))
            }
            if let nationality = person.nationality { checkCountry(nationality, path: "\(p).nationality", &issues) }
            if let language = person.preferredLanguage { checkLanguage(language, path: "\(p).preferredLanguage", &issues) }
            checkIdentifications(person.individualIdentification, path: "\(p).individualIdentification", &issues)
        case .organization(let organization):
            let p = "engagedParty"
            checkText(organization.name, path: "\(p).name", max: Self.maxNameLength, &issues)
            checkOptionalText(organization.tradingName, path: "\(p).tradingName", max: Self.maxNameLength, &issues)
            checkOptionalText(organization.organizationType, path: "\(p).organizationType", max: 60, &issues)
            if let language = organization.preferredLanguage { checkLanguage(language, path: "\(p).preferredLanguage", &issues) }
            checkIdentifications(organization.organizationIdentification, path: "\(p).organizationIdentification", &issues)
        }
        checkCount(profile.contactMedium.count, path: "contactMedium", &issues)
        var mediumIds = Set<String>()
        for (index, medium) in profile.contactMedium.enumerated() {
            let path = "contactMedium[\(index)]"
            if let id = medium.id {
                checkIdentifier(id, path: "\(path).id", &issues)
                if !mediumIds.insert(id).inserted {
                    issues.append(.init(path: "\(path).id", code: "duplicate", message: "must be unique among contact media"))
                }
            }
            checkMedium(medium, path: path, &issues)
        }
        checkCount(profile.characteristic.count, path: "characteristic", &issues)
        for (index, characteristic) in profile.characteristic.enumerated() {
            checkText(characteristic.name, path: "characteristic[\(index)].name", max: 60, &issues)
            checkText(characteristic.value, path: "characteristic[\(index)].value", max: Self.maxTextLength, &issues)
            checkOptionalText(characteristic.valueType, path: "characteristic[\(index)].valueType", max: 30, &issues)
        }
        checkCount(profile.relatedParty.count, path: "relatedParty", &issues)
        for (index, related) in profile.relatedParty.enumerated() {
            let path = "relatedParty[\(index)]"
            checkText(related.role, path: "\(path).role", max: 60, &issues)
            if related.id == nil && related.externalId == nil {
                issues.append(.init(path: path, code: "missing_reference", message: "needs id or externalId"))
            }
        }
        if let subject = profile.loginSubject { checkText(subject, path: "loginSubject", max: 255, &issues) }
        return issues
    }

    static let genders: Set<String> = ["female", "male", "nonBinary", "other", "undisclosed"]

    private func checkMedium(_ medium: ContactMedium, path: String, _ issues: inout [ValidationIssue]) {
        let details = medium.characteristic
        let cp = "\(path).characteristic"
        switch medium.mediumType {
        case .email:
            if let email = details.emailAddress {
                if !EmailAddress.isValid(email) {
                    issues.append(.init(path: "\(cp).emailAddress", code: "invalid_email", message: "must be an email address like name@example.com of at most \(Self.maxEmailLength) characters"))
                }
            } else {
                issues.append(.init(path: "\(cp).emailAddress", code: "required", message: "is required for an email medium"))
            }
        case .phone, .mobile, .fax:
            if let phone = details.phoneNumber {
                if !PhoneNumber.isE164(phone) {
                    issues.append(.init(path: "\(cp).phoneNumber", code: "invalid_phone", message: "must be E.164: '+', country code and number, at most 15 digits"))
                }
            } else if medium.mediumType != .fax || details.faxNumber == nil {
                issues.append(.init(path: "\(cp).phoneNumber", code: "required", message: "is required for a phone medium"))
            }
        case .postalAddress:
            // Street lines may span lines, as legacy CRMs often store them.
            checkOptionalText(details.street1, path: "\(cp).street1", max: Self.maxTextLength, allowLineBreaks: true, &issues)
            checkOptionalText(details.street2, path: "\(cp).street2", max: Self.maxTextLength, allowLineBreaks: true, &issues)
            checkOptionalText(details.stateOrProvince, path: "\(cp).stateOrProvince", max: 100, &issues)
            checkText(details.city ?? "", path: "\(cp).city", max: 100, &issues)
            checkOptionalText(details.postCode, path: "\(cp).postCode", max: 20, &issues)
            if let country = details.country {
                checkCountry(country, path: "\(cp).country", &issues)
            } else {
                issues.append(.init(path: "\(cp).country", code: "required", message: "is required for a postal address"))
            }
        }
        if medium.mediumType != .email, details.emailAddress != nil {
            issues.append(.init(path: "\(cp).emailAddress", code: "not_allowed", message: "only allowed on an email medium"))
        }
        if ![.phone, .mobile, .fax].contains(medium.mediumType), details.phoneNumber != nil {
            issues.append(.init(path: "\(cp).phoneNumber", code: "not_allowed", message: "only allowed on a phone, mobile or fax medium"))
        }
        if let fax = details.faxNumber {
            if medium.mediumType != .fax {
                issues.append(.init(path: "\(cp).faxNumber", code: "not_allowed", message: "only allowed on a fax medium"))
            } else if !PhoneNumber.isE164(fax) {
                issues.append(.init(path: "\(cp).faxNumber", code: "invalid_phone", message: "must be E.164: '+', country code and number, at most 15 digits"))
            }
        }
        checkOptionalText(details.contactType, path: "\(cp).contactType", max: 50, &issues)
        if let period = medium.validFor { checkPeriod(period, path: "\(path).validFor", &issues) }
    }

    private func checkIdentifications(_ list: [Identification], path: String, _ issues: inout [ValidationIssue]) {
        checkCount(list.count, path: path, &issues)
        for (index, identification) in list.enumerated() {
            let p = "\(path)[\(index)]"
            checkText(identification.identificationType, path: "\(p).identificationType", max: 40, &issues)
            checkText(identification.identificationId, path: "\(p).identificationId", max: Self.maxIdentifierLength, &issues)
            checkOptionalText(identification.issuingAuthority, path: "\(p).issuingAuthority", max: 100, &issues)
            if let period = identification.validFor { checkPeriod(period, path: "\(p).validFor", &issues) }
        }
    }

    private func checkPeriod(_ period: TimePeriod, path: String, _ issues: inout [ValidationIssue]) {
        var start: Date?
        var end: Date?
        if let value = period.startDateTime {
            start = ISODate.parseDateOrDateTime(value)
            if start == nil { issues.append(.init(path: "\(path).startDateTime", code: "invalid_date", message: "must be an ISO 8601 date or date-time")) }
        }
        if let value = period.endDateTime {
            end = ISODate.parseDateOrDateTime(value)
            if end == nil { issues.append(.init(path: "\(path).endDateTime", code: "invalid_date", message: "must be an ISO 8601 date or date-time")) }
        }
        if let start, let end, end < start {
            issues.append(.init(path: "\(path).endDateTime", code: "invalid_period", message: "must not be before startDateTime"))
        }
    }

    private func checkCountry(_ code: String, path: String, _ issues: inout [ValidationIssue]) {
        if !CountryCode.isValid(code) {
            issues.append(.init(path: path, code: "invalid_country", message: "must be an ISO 3166-1 alpha-2 country code such as FR"))
        }
    }

    private func checkLanguage(_ tag: String, path: String, _ issues: inout [ValidationIssue]) {
        if !LanguageTag.isValid(tag) {
            issues.append(.init(path: path, code: "invalid_language", message: "must be a BCP 47 language tag such as fr or pt-BR"))
        }
    }

    private func checkIdentifier(_ value: String, path: String, _ issues: inout [ValidationIssue]) {
        let allowed = value.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x2D || $0 == 0x5F }
        if value.isEmpty || value.count > Self.maxIdentifierLength || !allowed {
            issues.append(.init(path: path, code: "invalid_identifier", message: "must be 1-\(Self.maxIdentifierLength) letters, digits, '-' or '_'"))
        }
    }

    private func checkCount(_ count: Int, path: String, _ issues: inout [ValidationIssue]) {
        if count > Self.maxListCount {
            issues.append(.init(path: path, code: "too_many", message: "must have at most \(Self.maxListCount) entries"))
        }
    }

    private func checkOptionalText(_ value: String?, path: String, max: Int, allowLineBreaks: Bool = false, _ issues: inout [ValidationIssue]) {
        if let value { checkText(value, path: path, max: max, allowLineBreaks: allowLineBreaks, &issues) }
    }

    private func checkText(_ value: String, path: String, max: Int, allowLineBreaks: Bool = false, _ issues: inout [ValidationIssue]) {
        // UTF-8 fast paths: imports validate millions of short strings.
        if value.unicodeScalars.allSatisfy({ $0.properties.isWhitespace }) {
            issues.append(.init(path: path, code: "required", message: "must not be empty"))
        } else if value.utf8.count > max && value.count > max {
            issues.append(.init(path: path, code: "too_long", message: "must be at most \(max) characters"))
        } else if Self.containsControlCharacter(value, allowingLineBreaks: allowLineBreaks) {
            issues.append(.init(path: path, code: "control_character", message: "must not contain control characters"))
        }
    }

    /// Unicode general category Cc is exactly U+0000-001F and U+007F-009F.
    static func containsControlCharacter(_ value: String, allowingLineBreaks: Bool) -> Bool {
        for scalar in value.unicodeScalars where scalar.value < 0x20 || (0x7F..<0xA0).contains(scalar.value) {
            if allowingLineBreaks && scalar == "\n" { continue }
            return true
        }
        return false
    }
}
