/// A host a module's event callbacks may name: an exact host name or IP address, or
/// `*.domain` for any name under `domain` (not `domain` itself). Case does not matter.
public struct CallbackHostPattern: Sendable, Equatable, CustomStringConvertible {
    /// Lowercased; for a wildcard, the domain after `*.`.
    let host: String
    let wildcard: Bool

    /// `nil` for text that is no host name, IP address or `*.domain`.
    public init?(_ text: String) {
        var host = text.lowercased()
        wildcard = host.hasPrefix("*.")
        if wildcard { host.removeFirst(2) }
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        let allowed = host.unicodeScalars.allSatisfy { ($0 >= "a" && $0 <= "z") || ($0 >= "0" && $0 <= "9") || $0 == "." || $0 == "-" || $0 == ":" }
        guard !host.isEmpty, host.count <= 253, allowed, !host.hasPrefix("."), !host.hasSuffix("."), !host.contains("..") else { return nil }
        self.host = host
    }

    public func matches(_ candidate: String) -> Bool {
        var name = candidate.lowercased()
        if name.hasPrefix("[") && name.hasSuffix("]") { name = String(name.dropFirst().dropLast()) }
        return wildcard ? name.hasSuffix("." + host) : name == host
    }

    public var description: String { wildcard ? "*." + host : host }
}
