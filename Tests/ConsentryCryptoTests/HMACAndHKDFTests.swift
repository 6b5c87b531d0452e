import Foundation
import Testing
@testable import ConsentryCrypto

@Suite("HMAC-SHA256, HKDF-SHA256, randomness, constant time")
struct HMACAndHKDFTests {
    struct RFC4231: Decodable {
        struct Case: Decodable { var `case`: Int; var key, data, mac: String }
        var tests: [Case]
    }

    @Test("RFC 4231 HMAC-SHA256 test cases 1-7")
    func rfc4231() throws {
        let file = try JSONDecoder().decode(RFC4231.self, from: Vectors.data("rfc-4231-HMAC-SHA256.json"))
        #expect(file.tests.count == 7)
        for test in file.tests {
            let mac = try HMACSHA256.authenticationCode(for: Hex.decode(test.data), using: SecureBytes(copying: Hex.decode(test.key)))
            let expected = Hex.decode(test.mac)
            #expect(Array(mac.prefix(expected.count)) == expected, "case \(test.case)")
        }
        let key = SecureBytes(copying: Hex.decode(file.tests[1].key))
        let good = try HMACSHA256.authenticationCode(for: [1, 2], using: key)
        #expect(try HMACSHA256.isValid(good, for: [1, 2], using: key))
        #expect(try !HMACSHA256.isValid(good, for: [1, 3], using: key))
    }

    @Test("RFC 5869 HKDF-SHA256 test cases A.1-A.3")
    func rfc5869() throws {
        let text = String(decoding: try Vectors.data("rfc-5869-HKDF-SHA256.txt"), as: UTF8.self)
        var cases: [[String: String]] = []
        var current: [String: String] = [:]
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count >= 1, !line.hasPrefix("#") else { continue }
            if parts[0] == "COUNT", !current.isEmpty { cases.append(current); current = [:] }
            if parts.count == 2 || line.hasSuffix("=") { current[parts[0]] = parts.count == 2 ? parts[1] : "" }
        }
        cases.append(current)
        #expect(cases.count == 3)
        for c in cases {
            let okm = try HKDFSHA256.deriveKey(
                inputKeyMaterial: SecureBytes(copying: Hex.decode(c["IKM"]!)), salt: Hex.decode(c["salt"] ?? ""),
                info: Hex.decode(c["info"] ?? ""), outputByteCount: Int(c["L"]!)!)
            #expect(okm.unsafeCopy == Hex.decode(c["OKM"]!), "COUNT \(c["COUNT"]!)")
        }
    }

    @Test("Random bytes are not all zero and differ between calls")
    func randomness() throws {
        let a = try SecureRandom.bytes(32)
        let b = try SecureRandom.bytes(32)
        #expect(a != b)
        #expect(a.contains { $0 != 0 })
    }

    @Test("Constant-time comparison agrees with ==")
    func constantTime() {
        #expect(ConstantTime.equals([1, 2, 3], [1, 2, 3]))
        #expect(!ConstantTime.equals([1, 2, 3], [1, 2, 4]))
        #expect(!ConstantTime.equals([1, 2, 3], [1, 2]))
        #expect(ConstantTime.equals([], []))
    }

    @Test("Secrets never print their bytes")
    func redaction() throws {
        let key = SecureBytes(copying: Array("super-secret-key-material-000000".utf8))
        #expect(!"\(key)".contains("super"))
        #expect(!String(reflecting: key).contains("super"))
    }
}
