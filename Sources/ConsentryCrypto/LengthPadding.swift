/// Pads field plaintexts to a few sizes before sealing, so that a ciphertext's length no
/// longer tells its value (a gender, a title, a short name) to whoever reads the database.
///
/// ISO/IEC 7816-4 style: the value, one 0x80 byte, then zeros up to the bucket. Buckets are
/// 16, 32, 64, 128 and 256 bytes, then multiples of 256: a stolen database still shows which
/// bucket a value falls in (SECURITY.md lists what remains visible).
public enum LengthPadding {
    public static func bucket(for count: Int) -> Int {
        let needed = count + 1
        for size in [16, 32, 64, 128, 256] where needed <= size { return size }
        return (needed + 255) / 256 * 256
    }

    public static func pad(_ value: [UInt8]) -> [UInt8] {
        var padded = value
        padded.reserveCapacity(bucket(for: value.count))
        padded.append(0x80)
        padded.append(contentsOf: repeatElement(0, count: bucket(for: value.count) - value.count - 1))
        return padded
    }

    /// - Throws: `CryptoError.malformedEnvelope` when no marker ends the value.
    public static func unpad(_ padded: [UInt8]) throws -> [UInt8] {
        guard let marker = padded.lastIndex(where: { $0 != 0 }), padded[marker] == 0x80 else {
            throw CryptoError.malformedEnvelope(reason: "bad padding")
        }
        return Array(padded[..<marker])
    }
}
