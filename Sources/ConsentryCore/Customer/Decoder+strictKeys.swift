/// A coding key for any string, used to list the keys present in an object.
struct AnyCodingKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

extension CodingKey where Self: CaseIterable {
    /// The JSON names of a type's keys, for `rejectUnknownKeys`.
    public static func names(_ extra: String...) -> Set<String> { Set(allCases.map(\.stringValue) + extra) }
}

extension Decoder {
    /// Rejects keys a type does not know, so a misspelt field is an error instead of silently
    /// dropped data. The error names the key (a field name, never a value).
    public func rejectUnknownKeys(allowed: Set<String>) throws {
        let container = try self.container(keyedBy: AnyCodingKey.self)
        if let unknown = container.allKeys.first(where: { !allowed.contains($0.stringValue) }) {
            throw DecodingError.dataCorrupted(
                .init(codingPath: codingPath + [unknown], debugDescription: "unknown field"))
        }
    }
}

extension KeyedDecodingContainer {
    /// Rejects an explicit `null` for any present key: `decodeIfPresent` would read it as
    /// absent and silently accept a value of the wrong type.
    public func rejectNulls() throws {
        for key in allKeys where try decodeNil(forKey: key) {
            throw DecodingError.valueNotFound(
                String.self, .init(codingPath: codingPath + [key], debugDescription: "\(key.stringValue) cannot be null; leave it out instead"))
        }
    }
}
