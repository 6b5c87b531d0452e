import ConsentryCrypto
import ConsentryRecords

/// A stored audit entry: the event with its place in the chain.
public struct AuditEntry: Sendable, Equatable {
    public var seq: Int64
    /// UTC, millisecond precision, as text: part of the hashed encoding.
    public var occurredAt: String
    public var event: AuditEvent
    public var previousHash: [UInt8]
    public var hash: [UInt8]

    /// The bytes the hash covers: a version tag and every attribute, each length-prefixed
    /// (u32 big-endian) in a fixed order, so no two different entries encode the same.
    public static func canonicalEncoding(seq: Int64, occurredAt: String, event: AuditEvent) -> [UInt8] {
        var out: [UInt8] = Array("consentry-audit/v1".utf8)
        func put(_ text: String) {
            let bytes = Array(text.utf8)
            let n = UInt32(bytes.count)
            out += [UInt8(n >> 24), UInt8(n >> 16 & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF)]
            out += bytes
        }
        put(String(seq))
        put(occurredAt)
        put(event.actor.kind.rawValue)
        put(event.actor.id)
        put(event.action.rawValue)
        put(event.customerID ?? "")
        put(event.purpose ?? "")
        put(event.fields.joined(separator: ","))
        put(event.outcome)
        put(event.reasons.joined(separator: ","))
        put(event.policyVersion ?? "")
        put(event.requestID ?? "")
        return out
    }

    /// SHA-256 over the previous entry's hash and this entry's canonical encoding.
    public static func chainHash(previous: [UInt8], seq: Int64, occurredAt: String, event: AuditEvent) -> [UInt8] {
        SHA256.hash(previous + canonicalEncoding(seq: seq, occurredAt: occurredAt, event: event))
    }

    /// The `prev_hash` of entry 1.
    public static let genesisHash = [UInt8](repeating: 0, count: 32)
}
