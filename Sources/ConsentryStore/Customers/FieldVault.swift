import ConsentryCore
import Foundation
import ConsentryRecords

/// The personal fields of one customer as stored in `customer.sealed_fields`: a list of
/// separately sealed values, each AES-256-GCM under the customer's DEK and bound to
/// customer id and field path.
///
/// One row per customer rather than one per field: an import writes a fifth of the rows and
/// a read fetches one, while a purpose-limited read still decrypts only the fields it needs.
///
/// Layout: `0x01`, then per field `u16 path length | path (UTF-8) | u32 length | envelope`,
/// big-endian. Paths (e.g. `contactMedium.2`) are not secret; values are.
struct FieldVault: Sendable, Equatable {
    struct Entry: Sendable, Equatable {
        var path: StoredFieldPath
        var ciphertext: [UInt8]
    }

    static let format: UInt8 = 0x01

    var entries: [Entry]

    init(entries: [Entry]) { self.entries = entries }

    /// - Throws: `StoreError` with code `corrupt_record` when the bytes are not a vault.
    init(decoding data: Data) throws {
        let bytes = [UInt8](data)
        guard bytes.first == Self.format else { throw Self.corrupt }
        var index = 1
        var entries: [Entry] = []
        func read(_ count: Int) throws -> ArraySlice<UInt8> {
            guard count >= 0, index + count <= bytes.count else { throw Self.corrupt }
            defer { index += count }
            return bytes[index..<index + count]
        }
        while index < bytes.count {
            let pathLength = try read(2).reduce(0) { $0 << 8 | Int($1) }
            let path = StoredFieldPath(rawValue: String(decoding: try read(pathLength), as: UTF8.self))
            let length = try read(4).reduce(0) { $0 << 8 | Int($1) }
            entries.append(Entry(path: path, ciphertext: Array(try read(length))))
        }
        self.entries = entries
    }

    var encoded: Data {
        var out: [UInt8] = [Self.format]
        out.reserveCapacity(entries.reduce(1) { $0 + 6 + $1.path.rawValue.utf8.count + $1.ciphertext.count })
        for entry in entries {
            let path = Array(entry.path.rawValue.utf8)
            out += [UInt8(path.count >> 8 & 0xff), UInt8(path.count & 0xff)]
            out += path
            let n = entry.ciphertext.count
            out += [UInt8(n >> 24 & 0xff), UInt8(n >> 16 & 0xff), UInt8(n >> 8 & 0xff), UInt8(n & 0xff)]
            out += entry.ciphertext
        }
        return Data(out)
    }

    private static var corrupt: StoreError {
        StoreError(code: .corruptRecord, message: "a customer's sealed fields are not in the expected layout")
    }
}
