import Foundation

/// Turns a flat CSV row, as legacy CRMs export them, into a customer draft.
///
/// Columns (header row required, order free, unknown columns rejected):
/// `externalId, type (Individual|Organization), status, title, givenName, middleName,
/// familyName, organizationName, tradingName, birthDate, gender, nationality,
/// preferredLanguage, email, phone, mobile, street1, street2, city, postCode,
/// stateOrProvince, country, nationalIdType, nationalId, nationalIdIssuer, loginSubject,
/// guardianExternalId, segment`.
public struct CustomerCSVMapping: Sendable {
    public static let columns: [String] = [
        "externalId", "type", "status", "title", "givenName", "middleName", "familyName", "organizationName",
        "tradingName", "birthDate", "gender", "nationality", "preferredLanguage", "email", "phone", "mobile",
        "street1", "street2", "city", "postCode", "stateOrProvince", "country", "nationalIdType", "nationalId",
        "nationalIdIssuer", "loginSubject", "guardianExternalId", "segment",
    ]

    private let index: [String: Int]

    /// - Throws: `ValidationError` naming unknown or duplicate header columns.
    public init(header: [String]) throws {
        var index: [String: Int] = [:]
        var issues: [ValidationIssue] = []
        let known = Set(Self.columns)
        for (i, raw) in header.enumerated() {
            let name = raw.trimmingCharacters(in: .whitespaces)
            if !known.contains(name) {
                issues.append(.init(path: "header[\(i)]", code: "unknown_column", message: "unknown column; expected one of \(Self.columns.joined(separator: ", "))"))
            } else if index[name] != nil {
                issues.append(.init(path: "header[\(i)]", code: "duplicate_column", message: "column \(name) appears twice"))
            } else {
                index[name] = i
            }
        }
        if index["type"] == nil { issues.append(.init(path: "header", code: "required", message: "column type is required")) }
        if !issues.isEmpty { throw ValidationError(issues: issues) }
        self.index = index
    }

    /// - Throws: `ValidationError` with column-named paths for structural problems; field
    ///   values are checked afterwards by `CustomerValidator`.
    public func draft(from fields: [String]) throws -> CustomerDraft {
        guard fields.count == index.count else {
            throw ValidationError(issues: [.init(path: "row", code: "column_count", message: "has \(fields.count) columns, header has \(index.count)")])
        }
        func value(_ column: String) -> String? {
            guard let i = index[column] else { return nil }
            let text = fields[i]
            return text.isEmpty ? nil : text
        }
        var issues: [ValidationIssue] = []
        let party: Party
        switch value("type") {
        case "Individual":
            party = .individual(Individual(
                title: value("title"), givenName: value("givenName") ?? "", middleName: value("middleName"),
                familyName: value("familyName") ?? "", birthDate: value("birthDate"), gender: value("gender"),
                nationality: value("nationality"), preferredLanguage: value("preferredLanguage"),
                individualIdentification: identification(value)))
        case "Organization":
            party = .organization(Organization(
                name: value("organizationName") ?? "", tradingName: value("tradingName"),
                preferredLanguage: value("preferredLanguage"), organizationIdentification: identification(value)))
        default:
            throw ValidationError(issues: [.init(path: "type", code: "invalid_enum", message: "must be Individual or Organization")])
        }
        var media: [ContactMedium] = []
        if let email = value("email") { media.append(.init(mediumType: .email, preferred: true, characteristic: .init(emailAddress: email))) }
        if let phone = value("phone") { media.append(.init(mediumType: .phone, characteristic: .init(phoneNumber: phone))) }
        if let mobile = value("mobile") { media.append(.init(mediumType: .mobile, characteristic: .init(phoneNumber: mobile))) }
        if value("street1") != nil || value("city") != nil || value("postCode") != nil || value("country") != nil {
            media.append(.init(mediumType: .postalAddress, characteristic: .init(
                street1: value("street1"), street2: value("street2"), city: value("city"), postCode: value("postCode"),
                stateOrProvince: value("stateOrProvince"), country: value("country"))))
        }
        var status = CustomerStatus.active
        if let text = value("status") {
            if let parsed = CustomerStatus(rawValue: text) { status = parsed } else {
                issues.append(.init(path: "status", code: "invalid_enum", message: "must be one of \(CustomerStatus.allCases.map(\.rawValue).joined(separator: ", "))"))
            }
        }
        if !issues.isEmpty { throw ValidationError(issues: issues) }
        return CustomerDraft(
            externalId: value("externalId"), status: status,
            profile: CustomerProfile(
                engagedParty: party, contactMedium: media,
                characteristic: value("segment").map { [Characteristic(name: "segment", value: $0)] } ?? [],
                relatedParty: value("guardianExternalId").map { [RelatedParty(externalId: $0, role: "guardian")] } ?? [],
                loginSubject: value("loginSubject")))
    }

    private func identification(_ value: (String) -> String?) -> [Identification] {
        guard let number = value("nationalId") else { return [] }
        return [Identification(identificationType: value("nationalIdType") ?? "nationalId", identificationId: number, issuingAuthority: value("nationalIdIssuer"))]
    }
}
