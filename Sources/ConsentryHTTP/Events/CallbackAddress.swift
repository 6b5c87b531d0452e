import ConsentryCore
import Foundation
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

/// Where a callback may connect: the addresses its host resolves to, none of them internal.
///
/// Checked when a module registers and again before every delivery, after name resolution,
/// so a name that later resolves to an internal address (DNS rebinding) is refused too. A
/// plain-http delivery connects to the address checked here (`pinned`); an https one is
/// bound to the name by its certificate, which an internal service cannot present.
struct CallbackAddress: Sendable {
    /// The first acceptable address, as text (IPv6 without brackets).
    let address: String

    struct Refused: Error, CustomStringConvertible {
        let description: String
    }

    /// - Parameter allowed: hosts the operator lets resolve to internal addresses
    ///   (`serve --allow-callback-host`, loopback under `serve --demo`).
    /// - Throws: `Refused` when the name does not resolve, or resolves to a loopback,
    ///   private, link-local (cloud metadata), shared, multicast or unspecified address.
    static func resolve(host: String, allowed: [CallbackHostPattern]) async throws -> CallbackAddress {
        let name = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        let addresses = try await NIOThreadPool.singleton.runIfActive { Self.lookup(name) }
        guard let first = addresses.first else { throw Refused(description: "the callback host does not resolve") }
        let operatorAllowed = allowed.contains { $0.matches(name) }
        if !operatorAllowed, let blocked = addresses.first(where: \.isInternal) {
            throw Refused(description: "the callback host resolves to an internal address (\(blocked.kind)); the operator must allow it with serve --allow-callback-host")
        }
        return CallbackAddress(address: first.text)
    }

    /// One resolved address.
    struct Resolved: Sendable {
        var bytes: [UInt8]
        var text: String

        var kind: String {
            if bytes.count == 16, let v4 = embeddedIPv4 { return Resolved(bytes: v4, text: text).kind }
            if bytes.count == 4 {
                switch (bytes[0], bytes[1]) {
                case (127, _): return "loopback"
                case (169, 254): return "link-local"
                case (10, _), (192, 168): return "private"
                case (172, 16...31): return "private"
                case (100, 64...127): return "shared"
                case (0, _): return "unspecified"
                case (224...255, _): return "multicast or reserved"
                case (192, 0) where bytes[2] == 0: return "reserved"
                case (198, 18...19): return "benchmarking"
                default: return "public"
                }
            }
            if bytes == [UInt8](repeating: 0, count: 15) + [1] { return "loopback" }
            if bytes == [UInt8](repeating: 0, count: 16) { return "unspecified" }
            if bytes[0] & 0xFE == 0xFC { return "private" }  // fc00::/7
            if bytes[0] == 0xFE && bytes[1] & 0xC0 == 0x80 { return "link-local" }  // fe80::/10
            if bytes[0] == 0xFF { return "multicast" }
            return "public"
        }

        var isInternal: Bool { kind != "public" }

        /// The IPv4 address inside an IPv4-mapped (::ffff:a.b.c.d) or NAT64 (64:ff9b::/96) one.
        var embeddedIPv4: [UInt8]? {
            guard bytes.count == 16 else { return nil }
            if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF { return Array(bytes[12...]) }
            if bytes[0..<12] == [0, 0x64, 0xFF, 0x9B, 0, 0, 0, 0, 0, 0, 0, 0][...] { return Array(bytes[12...]) }
            return nil
        }
    }

    static func lookup(_ name: String) -> [Resolved] {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(name, nil, &hints, &list) == 0, let list else { return [] }
        defer { freeaddrinfo(list) }
        var results: [Resolved] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = list
        while let entry = cursor {
            defer { cursor = entry.pointee.ai_next }
            guard let address = entry.pointee.ai_addr else { continue }
            var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
            switch Int32(address.pointee.sa_family) {
            case AF_INET:
                var v4 = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
                let bytes = withUnsafeBytes(of: &v4) { Array($0) }
                inet_ntop(AF_INET, &v4, &text, socklen_t(text.count))
                results.append(Resolved(bytes: bytes, text: String(cString: text)))
            case AF_INET6:
                var v6 = address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr }
                let bytes = withUnsafeBytes(of: &v6) { Array($0) }
                inet_ntop(AF_INET6, &v6, &text, socklen_t(text.count))
                results.append(Resolved(bytes: bytes, text: String(cString: text)))
            default:
                continue
            }
        }
        return results
    }
}
