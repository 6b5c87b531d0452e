import Foundation

/// Pragmatic email address checks (RFC 5321 lengths, one `@`, a dotted domain).
public enum EmailAddress {
    public static func isValid(_ value: String) -> Bool {
        guard value.utf8.count <= 254, value.trimmedWhitespace == value else { return false }
        let parts = value.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, let local = parts.first, let domain = parts.last,
              !local.isEmpty, local.utf8.count <= 64, !domain.isEmpty else { return false }
        guard !local.contains(where: { $0.isWhitespace || $0 == "," || $0 == ";" || $0 == "<" || $0 == ">" }),
              !local.hasPrefix("."), !local.hasSuffix("."), !local.contains("..") else { return false }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2 else { return false }
        for label in labels {
            guard !label.isEmpty, label.utf8.count <= 63, !label.hasPrefix("-"), !label.hasSuffix("-"),
                  label.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }) else { return false }
        }
        return true
    }

    /// The blind-index form: trimmed and lower-cased.
    public static func normalize(_ value: String) -> String {
        value.trimmedWhitespace.lowercased()
    }
}

