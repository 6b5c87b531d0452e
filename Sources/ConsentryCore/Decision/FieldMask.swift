/// How each kind of field looks when a purpose may see it only masked: enough to recognise
/// ("is this the customer on the phone?"), not enough to use (no full address, number, date).
public enum FieldMask {
    /// Masks a field's value, scalar or structured (identification, contact medium...).
    public static func mask(_ value: JSONValue, as field: PolicyField) -> JSONValue {
        switch field {
        case .title, .givenName, .middleName, .familyName, .organizationName, .tradingName:
            return mapString(value, name)
        case .birthDate:
            return mapString(value) { date in date.count >= 4 ? String(date.prefix(4)) + "-**-**" : "****" }
        case .gender, .nationality, .preferredLanguage, .organizationType:
            return .string("***")
        case .individualIdentification, .organizationIdentification:
            var identification = value
            identification.set("identificationId", identification["identificationId"].map { mapString($0, tail) })
            return identification
        case .email, .phone, .postalAddress:
            var medium = value
            guard var details = medium["characteristic"] else { return medium }
            details.set("emailAddress", details["emailAddress"].map { mapString($0, email) })
            details.set("phoneNumber", details["phoneNumber"].map { mapString($0, phone) })
            details.set("faxNumber", details["faxNumber"].map { mapString($0, phone) })
            details.set("street1", details["street1"].map { _ in .string("***") })
            details.set("street2", details["street2"].map { _ in .string("***") })
            details.set("postCode", details["postCode"].map { mapString($0) { String($0.prefix(2)) + "***" } })
            medium.set("characteristic", details)
            return medium
        case .characteristic:
            var characteristic = value
            characteristic.set("value", .string("***"))
            return characteristic
        case .relatedParty:
            var related = value
            related.set("id", related["id"].map { mapString($0, tail) })
            related.set("externalId", nil)
            return related
        case .loginSubject:
            return mapString(value, tail)
        }
    }

    /// `Jane` → `J***`.
    static func name(_ text: String) -> String {
        guard let first = text.first else { return "***" }
        return String(first) + "***"
    }

    /// `jane.doe@example.com` → `j***@example.com`. The domain stays: it is rarely personal
    /// and tells an agent which address is meant.
    static func email(_ text: String) -> String {
        guard let at = text.lastIndex(of: "@"), let first = text.first, at != text.startIndex else { return "***" }
        return String(first) + "***" + text[at...]
    }

    /// `+447700900123` → `+44*****23`: country code and the last two digits.
    static func phone(_ text: String) -> String {
        guard text.count > 6 else { return "***" }
        return String(text.prefix(3)) + "*****" + String(text.suffix(2))
    }

    /// `AB1234567` → `***567`: the last three characters, and never the length.
    static func tail(_ text: String) -> String {
        text.count > 6 ? "***" + String(text.suffix(3)) : "***"
    }

    private static func mapString(_ value: JSONValue, _ transform: (String) -> String) -> JSONValue {
        if case .string(let text) = value { return .string(transform(text)) }
        return .string("***")
    }
}
