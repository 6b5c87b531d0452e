/// A minimal JSON object writer with sorted keys, for the structured personal fields.
///
/// The import path encodes several objects per customer; Foundation's `JSONEncoder` costs
/// tens of microseconds each on Linux, this a few hundred nanoseconds. Output is plain JSON
/// that `JSONDecoder` reads back (tested by the codec round trip).
struct CanonicalJSON {
    private var members: [(String, [UInt8])] = []

    mutating func add(_ key: String, _ value: String?) {
        if let value { members.append((key, Self.quoted(value))) }
    }

    mutating func add(_ key: String, _ value: Bool) {
        members.append((key, Array((value ? "true" : "false").utf8)))
    }

    mutating func add(_ key: String, object: CanonicalJSON?) {
        if let object { members.append((key, object.bytes)) }
    }

    var bytes: [UInt8] {
        var out: [UInt8] = [0x7B]
        for (index, member) in members.sorted(by: { $0.0 < $1.0 }).enumerated() {
            if index > 0 { out.append(0x2C) }
            out += Self.quoted(member.0)
            out.append(0x3A)
            out += member.1
        }
        out.append(0x7D)
        return out
    }

    static func quoted(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count + 2)
        appendQuoted(text, to: &out)
        return out
    }

    /// Appends `text` as a JSON string, escaped, without an intermediate array.
    static func appendQuoted(_ text: String, to out: inout [UInt8]) {
        out.append(0x22)
        for byte in text.utf8 {
            switch byte {
            case 0x22, 0x5C:
                out.append(0x5C)
                out.append(byte)
            case 0x0A: out.append(0x5C); out.append(0x6E)
            case 0x0D: out.append(0x5C); out.append(0x72)
            case 0x09: out.append(0x5C); out.append(0x74)
            case 0x00..<0x20:
                let hex: StaticString = "0123456789abcdef"
                hex.withUTF8Buffer { digits in
                    out.append(contentsOf: [0x5C, 0x75, 0x30, 0x30, digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
                }
            default: out.append(byte)
            }
        }
        out.append(0x22)
    }
}

extension TimePeriod {
    var canonicalJSON: CanonicalJSON {
        var json = CanonicalJSON()
        json.add("startDateTime", startDateTime)
        json.add("endDateTime", endDateTime)
        return json
    }
}

extension ContactMedium {
    var canonicalJSON: CanonicalJSON {
        var details = CanonicalJSON()
        let c = characteristic
        details.add("contactType", c.contactType)
        details.add("emailAddress", c.emailAddress)
        details.add("phoneNumber", c.phoneNumber)
        details.add("faxNumber", c.faxNumber)
        details.add("street1", c.street1)
        details.add("street2", c.street2)
        details.add("city", c.city)
        details.add("postCode", c.postCode)
        details.add("stateOrProvince", c.stateOrProvince)
        details.add("country", c.country)
        var json = CanonicalJSON()
        json.add("id", id)
        json.add("mediumType", mediumType.rawValue)
        json.add("preferred", preferred)
        json.add("validFor", object: validFor?.canonicalJSON)
        json.add("characteristic", object: details)
        return json
    }
}

extension Identification {
    var canonicalJSON: CanonicalJSON {
        var json = CanonicalJSON()
        json.add("identificationType", identificationType)
        json.add("identificationId", identificationId)
        json.add("issuingAuthority", issuingAuthority)
        json.add("validFor", object: validFor?.canonicalJSON)
        return json
    }
}

extension Characteristic {
    var canonicalJSON: CanonicalJSON {
        var json = CanonicalJSON()
        json.add("name", name)
        json.add("value", value)
        json.add("valueType", valueType)
        return json
    }
}

extension RelatedParty {
    var canonicalJSON: CanonicalJSON {
        var json = CanonicalJSON()
        json.add("id", id)
        json.add("externalId", externalId)
        json.add("role", role)
        return json
    }
}
