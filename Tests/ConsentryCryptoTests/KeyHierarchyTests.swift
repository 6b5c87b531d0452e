import Testing
@testable import ConsentryCrypto

@Suite("KEK ring, data keys, blind indexes")
struct KeyHierarchyTests {
    @Test("A data key wrapped under one KEK version unwraps after rotation, and not after retirement")
    func wrapRotateRetire() throws {
        var ring = try KeyRing.generate()
        let dek = try DataKey.generate()
        let wrapped = try ring.wrap(dek.material, context: Array("customer:c1".utf8))
        #expect(try Envelope.keyVersion(of: wrapped) == 1)
        try ring.rotate()
        #expect(ring.activeVersion == 2)
        #expect(try ring.unwrap(wrapped, context: Array("customer:c1".utf8)).constantTimeEquals(dek.material))
        let rewrapped = try ring.wrap(try ring.unwrap(wrapped, context: Array("customer:c1".utf8)), context: Array("customer:c1".utf8))
        #expect(try Envelope.keyVersion(of: rewrapped) == 2)
        try ring.retire(below: 2)
        #expect(ring.versions == [2])
        #expect(throws: CryptoError.unknownKeyVersion(1)) { try ring.unwrap(wrapped, context: Array("customer:c1".utf8)) }
        #expect(try ring.unwrap(rewrapped, context: Array("customer:c1".utf8)).constantTimeEquals(dek.material))
        #expect(throws: CryptoError.self) { try ring.retire(below: 3) }
    }

    @Test("A wrapped key bound to one customer does not unwrap for another")
    func wrapBinding() throws {
        let ring = try KeyRing.generate()
        let wrapped = try ring.wrap(try DataKey.generate().material, context: Array("customer:a".utf8))
        #expect(throws: CryptoError.authenticationFailure) { try ring.unwrap(wrapped, context: Array("customer:b".utf8)) }
    }

    @Test("A field ciphertext opens only for its owner and field")
    func fieldBinding() throws {
        let dek = try DataKey.generate()
        let sealed = try dek.seal(Array("a@example.com".utf8), owner: "A", field: "contactMedium.1")
        #expect(try dek.open(sealed, owner: "A", field: "contactMedium.1") == Array("a@example.com".utf8))
        #expect(throws: CryptoError.authenticationFailure) { try dek.open(sealed, owner: "B", field: "contactMedium.1") }
        #expect(throws: CryptoError.authenticationFailure) { try dek.open(sealed, owner: "A", field: "contactMedium.2") }
    }

    @Test("Blind indexes: deterministic per field, separated between fields, truncated")
    func blindIndex() throws {
        let indexer = try BlindIndexer(root: SecureBytes(randomCount: 32), fields: ["email", "phone"], bits: 32)
        let a = try indexer.digest(field: "email", normalizedValue: "a@example.com")
        #expect(a.count == 4)
        #expect(a == (try indexer.digest(field: "email", normalizedValue: "a@example.com")))
        #expect(a != (try indexer.digest(field: "phone", normalizedValue: "a@example.com")))
        #expect(throws: CryptoError.self) { try indexer.digest(field: "unknown", normalizedValue: "x") }
        let other = try BlindIndexer(root: SecureBytes(randomCount: 32), fields: ["email"], bits: 32)
        #expect(a != (try other.digest(field: "email", normalizedValue: "a@example.com")))
    }
}

@Suite("FieldSealer fast path")
struct FieldSealerTests {
    @Test("Sealer output opens with DataKey.open, binds owner and field, and never repeats a nonce")
    func sealerMatchesEnvelope() throws {
        let dek = try DataKey.generate()
        let sealer = try dek.sealer()
        var nonces = Set<[UInt8]>()
        for (index, value) in ["", "a", "zoë@example.com", String(repeating: "x", count: 1000)].enumerated() {
            let sealed = try DataKey.seal(Array(value.utf8), owner: "A", field: "f\(index)", with: sealer)
            #expect(try dek.open(sealed, owner: "A", field: "f\(index)") == Array(value.utf8))
            #expect(throws: CryptoError.authenticationFailure) { try dek.open(sealed, owner: "B", field: "f\(index)") }
            nonces.insert(try Envelope(bytes: sealed).box.nonce)
        }
        #expect(nonces.count == 4)
    }
}
