/// A free name/value attribute of a customer (TMF Characteristic), e.g. `segment: consumer`.
///
/// TMF types `value` as anything; Consentry keeps it as text with its `valueType`: a number or
/// a boolean sent as such is kept as its text with `valueType` `integer`, `number` or
/// `boolean` (unless the caller names one), and given back as a number or boolean.
public struct Characteristic: Sendable, Equatable, Codable {
    public var name: String
    public var value: String
    public var valueType: String?

    public init(name: String, value: String, valueType: String? = nil) {
        self.name = name
        self.value = value
        self.valueType = valueType
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case name, value, valueType }

    static let allowedKeys = CodingKeys.names("@type", "@baseType", "@schemaLocation")

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(allowed: Self.allowedKeys)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        valueType = try c.decodeIfPresent(String.self, forKey: .valueType)
        if let text = try? c.decode(String.self, forKey: .value) {
            value = text
        } else if let flag = try? c.decode(Bool.self, forKey: .value) {
            value = flag ? "true" : "false"
            valueType = valueType ?? "boolean"
        } else if let integer = try? c.decode(Int.self, forKey: .value) {
            value = String(integer)
            valueType = valueType ?? "integer"
        } else if let number = try? c.decode(Double.self, forKey: .value), number.isFinite {
            value = String(number)
            valueType = valueType ?? "number"
        } else {
            throw DecodingError.dataCorruptedError(forKey: .value, in: c, debugDescription: "must be a string, a number or a boolean")
        }
    }

    /// `value` as its type says: a JSON number or boolean for `integer`, `number`, `boolean`.
    public static func typedValue(_ text: String, valueType: String?) -> JSONValue {
        switch valueType {
        case "boolean" where text == "true" || text == "false": .bool(text == "true")
        case "integer" where Int(text) != nil, "number" where Double(text)?.isFinite == true: .number(text)
        default: .string(text)
        }
    }
}
