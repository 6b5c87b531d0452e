import Foundation
import Testing
@testable import ConsentryCrypto

@Suite("AES-256-GCM over OpenSSL")
struct AESGCMTests {
    struct WycheproofFile: Decodable {
        struct Case: Decodable {
            var tcId: Int
            var key, iv, aad, msg, ct, tag: String
            var result: String
            var flags: [String]
        }
        var tests: [Case]
    }

    @Test("Known-answer vectors: Wycheproof AES-256-GCM including the NIST GCM spec cases")
    func knownAnswers() throws {
        let file = try JSONDecoder().decode(WycheproofFile.self, from: Vectors.data("aes-256-gcm-wycheproof.json"))
        #expect(file.tests.count == 66)
        var valid = 0
        var invalid = 0
        for test in file.tests {
            let key = SecureBytes(copying: Hex.decode(test.key))
            let box = AES.GCM.SealedBox(nonce: Hex.decode(test.iv), ciphertext: Hex.decode(test.ct), tag: Hex.decode(test.tag))
            switch test.result {
            case "valid":
                let sealed = try AES.GCM.seal(Hex.decode(test.msg), using: key, nonce: Hex.decode(test.iv), authenticating: Hex.decode(test.aad))
                #expect(sealed == box, "seal tcId \(test.tcId)")
                #expect(try AES.GCM.open(box, using: key, authenticating: Hex.decode(test.aad)) == Hex.decode(test.msg), "open tcId \(test.tcId)")
                valid += 1
            default:
                #expect(throws: CryptoError.authenticationFailure, "tcId \(test.tcId)") {
                    try AES.GCM.open(box, using: key, authenticating: Hex.decode(test.aad))
                }
                invalid += 1
            }
        }
        #expect(valid == 39 && invalid == 27)
    }

    @Test("Round trip with random nonces; two seals of one plaintext differ")
    func roundTrip() throws {
        let key = try SecureBytes(randomCount: 32)
        let message = Array("Zoë Ødegård, +4790000000".utf8)
        let a = try AES.GCM.seal(message, using: key, authenticating: [1, 2, 3])
        let b = try AES.GCM.seal(message, using: key, authenticating: [1, 2, 3])
        #expect(a.nonce != b.nonce)
        #expect(a.ciphertext != b.ciphertext)
        #expect(try AES.GCM.open(a, using: key, authenticating: [1, 2, 3]) == message)
        #expect(try AES.GCM.open(try AES.GCM.seal([], using: key), using: key) == [])
    }

    @Test("Wrong key, wrong associated data and every flipped byte are refused with a typed error")
    func tamperingRefused() throws {
        let key = try SecureBytes(randomCount: 32)
        let envelope = try Envelope.seal(Array("alice@example.com".utf8), key: key, keyVersion: 7, context: Array("c1|email".utf8))
        let stored = envelope.bytes
        #expect(throws: CryptoError.authenticationFailure) {
            try Envelope(bytes: stored).open(key: try SecureBytes(randomCount: 32), context: Array("c1|email".utf8))
        }
        #expect(throws: CryptoError.authenticationFailure) {
            try Envelope(bytes: stored).open(key: key, context: Array("c2|email".utf8))
        }
        for index in stored.indices {
            var copy = stored
            copy[index] ^= 0x01
            #expect(throws: (any Error).self, "byte \(index)") {
                try Envelope(bytes: copy).open(key: key, context: Array("c1|email".utf8))
            }
        }
        #expect(throws: CryptoError.malformedEnvelope(reason: "too short")) { try Envelope(bytes: Array(stored.prefix(20))) }
        #expect(try Envelope(bytes: stored).open(key: key, context: Array("c1|email".utf8)) == Array("alice@example.com".utf8))
    }

    @Test("Bad key and nonce lengths are rejected before OpenSSL sees them")
    func argumentChecks() throws {
        #expect(throws: CryptoError.invalidKeyLength(expected: 32, actual: 16)) {
            try AES.GCM.seal([1], using: SecureBytes(copying: [UInt8](repeating: 0, count: 16)))
        }
        #expect(throws: CryptoError.self) { try AES.GCM.seal([1], using: try SecureBytes(randomCount: 32), nonce: [0, 1]) }
    }

    @Test("Padded envelopes (format 0x02): values of one bucket seal to one size, open to the exact value; format 0x01 still opens")
    func paddedEnvelopes() throws {
        let key = try SecureBytes(randomCount: 32)
        let context = Array("consentry/field/v1|c1|engagedParty.gender".utf8)
        let sizes = Set(try ["male", "female", "nonBinary", "undisclosed", ""].map { value in
            let sealed = try Envelope.seal(Array(value.utf8), key: key, keyVersion: 1, context: context, padded: true)
            #expect(sealed.bytes[0] == Envelope.formatAES256GCMPadded)
            #expect(try Envelope(bytes: sealed.bytes).open(key: key, context: context) == Array(value.utf8))
            return sealed.bytes.count
        })
        #expect(sizes == [16 + Envelope.overheadByteCount])
        #expect(LengthPadding.bucket(for: 15) == 16 && LengthPadding.bucket(for: 16) == 32 && LengthPadding.bucket(for: 300) == 512)
        let sealer = try FieldSealer(key: key, keyVersion: 1)
        #expect(try Envelope(bytes: try sealer.seal(Array("a value of 40 bytes, padded to 64 bytes.".utf8), context: context)).open(key: key, context: context).count == 40)
        let legacy = try Envelope.seal(Array("male".utf8), key: key, keyVersion: 1, context: context)
        #expect(legacy.bytes.count == 4 + Envelope.overheadByteCount)
        #expect(try Envelope(bytes: legacy.bytes).open(key: key, context: context) == Array("male".utf8))
        // The format byte is authenticated: relabelling a padded envelope as 0x01 fails.
        var relabelled = try Envelope.seal(Array("male".utf8), key: key, keyVersion: 1, context: context, padded: true).bytes
        relabelled[0] = Envelope.formatAES256GCM
        #expect(throws: CryptoError.self) { try Envelope(bytes: relabelled).open(key: key, context: context) }
    }
}
