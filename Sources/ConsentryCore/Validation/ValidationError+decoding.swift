extension ValidationError {
    /// Turns a JSON decoding failure into a field-level issue with its path, keeping the
    /// value out of the message.
    public init(decoding error: DecodingError) {
        func path(_ keys: [any CodingKey]) -> String {
            var text = ""
            for key in keys {
                if let index = key.intValue { text += "[\(index)]" } else { text += (text.isEmpty ? "" : ".") + key.stringValue }
            }
            return text.isEmpty ? "$" : text
        }
        let issue: ValidationIssue
        switch error {
        case .keyNotFound(let key, let context):
            issue = .init(path: path(context.codingPath + [key]), code: "required", message: "is required")
        case .typeMismatch(let type, let context):
            issue = .init(path: path(context.codingPath), code: "wrong_type", message: "must be \(Self.jsonTypeName(type))")
        case .valueNotFound(let type, let context):
            issue = .init(path: path(context.codingPath), code: "wrong_type", message: "must be \(Self.jsonTypeName(type)), not null")
        case .dataCorrupted(let context):
            if context.debugDescription == "unknown field" {
                issue = .init(path: path(context.codingPath), code: "unknown_field", message: "is not a known field")
            } else if context.codingPath.isEmpty {
                issue = .init(path: "$", code: "malformed_json", message: "is not a valid JSON object")
            } else {
                issue = .init(path: path(context.codingPath), code: "invalid_value", message: Self.safeMessage(context.debugDescription))
            }
        @unknown default:
            issue = .init(path: "$", code: "malformed_json", message: "could not be decoded")
        }
        self.init(issues: [issue])
    }

    private static func jsonTypeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "true or false"
        case is Int.Type, is Double.Type: "a number"
        case is [Any].Type: "an array"
        default: String(describing: type).hasPrefix("Array") ? "an array" : "an object"
        }
    }

    /// Our own decoders' messages are fixed texts; Foundation's may quote input, so only
    /// pass through messages we wrote.
    private static func safeMessage(_ text: String) -> String {
        text.hasPrefix("must be") ? text : "has an invalid value"
    }
}
