import ConsentryCore
import ConsentryCrypto
@testable import ConsentryStore
import ConsentryTesting
import Foundation
import ConsentryStorage
import Testing
import ConsentryRecords

@Suite("Encryption at rest")
struct EncryptionAtRestTests {
    @Test("A created customer reads back equal, and each personal field is a separate ciphertext")
    func roundTrip() async throws {
        let installation = try await TestInstallation.make()
        let draft = SyntheticCustomers().draft(1)
        guard case .individual = draft.profile.engagedParty else { Issue.record("draft 1 should be an individual"); return }
        let created = try await installation.store.create(draft)
        let read = try #require(try await installation.store.customer(id: created.id))
        #expect(read == created)
        #expect(read.profile.engagedParty == draft.profile.engagedParty)
        let paths = try await vault(of: created.id, in: installation).entries.map(\.path.rawValue)
        #expect(paths.contains("engagedParty.givenName"))
        #expect(paths.contains("engagedParty.familyName"))
        #expect(paths.contains { $0.hasPrefix("contactMedium.") })
        #expect(paths.count >= 8)
    }

    @Test("Customer A's email ciphertext copied onto customer B, or onto A's phone, does not decrypt")
    func ciphertextBoundToOwnerAndField() async throws {
        let installation = try await TestInstallation.make()
        let a = try await installation.store.create(SyntheticCustomers().draft(1))
        let b = try await installation.store.create(SyntheticCustomers().draft(2))
        // Medium 1 is the email, medium 2 the phone (ids are assigned in order).
        let emailOfA = try #require(try await vault(of: a.id, in: installation).entries.first { $0.path.rawValue == "contactMedium.1" })
        var vaultOfB = try await vault(of: b.id, in: installation)
        vaultOfB.entries = vaultOfB.entries.map { $0.path.rawValue == "contactMedium.1" ? .init(path: $0.path, ciphertext: emailOfA.ciphertext) : $0 }
        try await store(vaultOfB, for: b.id, in: installation)
        await #expect(throws: StoreError.self) { try await installation.store.customer(id: b.id) }
        var vaultOfA = try await vault(of: a.id, in: installation)
        vaultOfA.entries = vaultOfA.entries.map { $0.path.rawValue == "contactMedium.2" ? .init(path: $0.path, ciphertext: emailOfA.ciphertext) : $0 }
        try await store(vaultOfA, for: a.id, in: installation)
        do {
            _ = try await installation.store.customer(id: a.id)
            Issue.record("a ciphertext moved to another field decrypted")
        } catch let error as StoreError {
            #expect(error.code == .undecryptable)
            #expect(error.description.contains("contactMedium.2"))
            #expect(!error.description.contains("@"))
        }
        // A wrapped DEK moved to another customer does not unwrap either.
        let c = try await installation.store.create(SyntheticCustomers().draft(4))
        try await installation.database.write { db in
            try db.execute("UPDATE customer SET wrapped_dek = (SELECT wrapped_dek FROM customer WHERE id = ?) WHERE id = ?", [a.id, c.id])
        }
        await #expect(throws: StoreError.self) { try await installation.store.customer(id: c.id) }
    }

    @Test("After importing Fixtures/, no name, email, phone or identification number is in the database file or WAL")
    func noPlaintextOnDisk() async throws {
        let installation = try await TestInstallation.make()
        let fixture = RepositoryFixtures.path("customers.jsonl")
        let report = try await CustomerImporter(store: installation.store).run(path: fixture)
        #expect(report.imported >= 200)
        #expect(report.rejected == 0)

        var needles = Set<String>()
        for line in try String(contentsOfFile: fixture, encoding: .utf8).split(separator: "\n") {
            let draft = try JSONDecoder().decode(CustomerDraft.self, from: Data(line.utf8))
            switch draft.profile.engagedParty {
            case .individual(let person): needles.formUnion([person.givenName, person.familyName, person.givenName + " " + person.familyName])
            case .organization(let organization): needles.insert(organization.name)
            }
            needles.formUnion(draft.profile.emails + draft.profile.phoneNumbers + draft.profile.identificationNumbers)
            needles.formUnion(draft.profile.contactMedium.compactMap(\.characteristic.street1))
            if let subject = draft.profile.loginSubject { needles.insert(subject) }
        }
        // Short strings (e.g. a 3-byte first name) occur by chance in megabytes of ciphertext;
        // 6 bytes and more do not (p < 1e-7 per needle here).
        let significant = needles.filter { $0.utf8.count >= 6 }
        #expect(significant.count > 500)

        var stored: [(name: String, bytes: Data)] = []
        switch TestEngine.current {
        case .sqlite:
            let files = try FileManager.default.contentsOfDirectory(atPath: installation.dataDirectory.path)
                .filter { $0.hasPrefix("consentry.sqlite") }
            #expect(files.contains("consentry.sqlite-wal"), "the WAL is checked while it still holds the import")
            for file in files {
                stored.append((file, try Data(contentsOf: URL(fileURLWithPath: (installation.dataDirectory.path as NSString).appendingPathComponent(file)))))
            }
        case .postgres:
            // What a DBA or a stolen dump sees: pg_dump's text of the whole database.
            stored.append(("pg_dump", try Self.pgDump(try #require(installation.dataDirectory.databaseURL))))
        }
        var scanned = 0
        for (name, bytes) in stored {
            scanned += bytes.count
            for needle in significant where bytes.range(of: Data(needle.utf8)) != nil {
                Issue.record("plaintext personal data found in \(name)")  // the value itself stays out of test output
            }
        }
        #expect(scanned > 100_000)
        // The control: the same scan does find a value we know is stored plain.
        #expect(stored.contains { $0.bytes.range(of: Data("LEG-0000001".utf8)) != nil })
    }

    /// The output of `pg_dump` (from the cluster `scripts/test.sh` started) for `url`.
    static func pgDump(_ url: String) throws -> Data {
        let bin = ProcessInfo.processInfo.environment["PG_TEST_BIN"].map { $0 + "/pg_dump" } ?? "/usr/bin/pg_dump"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: bin)
        process.arguments = ["--dbname=" + url, "--no-owner"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return data
    }

    func vault(of id: String, in installation: TestInstallation) async throws -> FieldVault {
        let data = try await installation.database.read { db in
            try db.fetchValue(Data.self, "SELECT sealed_fields FROM customer WHERE id = ?", [id])
        }
        return try FieldVault(decoding: try #require(data))
    }

    func store(_ vault: FieldVault, for id: String, in installation: TestInstallation) async throws {
        try await installation.database.write { db in
            try db.execute("UPDATE customer SET sealed_fields = ? WHERE id = ?", [vault.encoded, id])
        }
    }

    @Test("Lengths do not tell values (#11 finding 7): every gender and title seals to one size, and each customer has a row per indexed field")
    func lengthsHidden() async throws {
        let installation = try await TestInstallation.make()
        var ids: [String] = []
        for index in 0..<40 { ids.append(try await installation.store.create(SyntheticCustomers().draft(index)).id) }
        var sizes: [String: Set<Int>] = [:]
        for id in ids {
            for entry in try await vault(of: id, in: installation).entries where ["engagedParty.gender", "engagedParty.title", "engagedParty.preferredLanguage"].contains(entry.path.rawValue) {
                sizes[entry.path.rawValue, default: []].insert(entry.ciphertext.count)
            }
        }
        // female, male, nonBinary, undisclosed: one 16-byte bucket, one ciphertext size.
        #expect(sizes["engagedParty.gender"]?.count == 1, "\(sizes)")
        #expect(sizes.values.allSatisfy { $0.count == 1 }, "\(sizes)")
        // A guardian row for everyone (decoys for customers without one): minors are not marked.
        let perField = try await installation.database.read { db in
            try db.fetchAll("SELECT field, COUNT(DISTINCT customer_id) AS n FROM blind_index GROUP BY field").map { ($0["field"] as String, $0["n"] as Int) }
        }
        #expect(perField.count == BlindIndexField.allCases.count && perField.allSatisfy { $0.1 == ids.count }, "\(perField)")
        // Decoys never answer a search: a lookup by a value nobody has finds nobody.
        #expect(try await installation.store.customers(where: .guardian, equals: UUID().uuidString).isEmpty)
    }

    @Test("The field vault layout round-trips and rejects truncated bytes")
    func vaultLayout() throws {
        let vault = FieldVault(entries: [.init(path: StoredFieldPath(rawValue: "engagedParty.givenName"), ciphertext: [1, 2, 3]), .init(path: StoredFieldPath(rawValue: "contactMedium.1"), ciphertext: [])])
        #expect(try FieldVault(decoding: vault.encoded) == vault)
        let bytes = vault.encoded
        #expect(throws: StoreError.self) { try FieldVault(decoding: bytes.dropLast()) }
        #expect(throws: StoreError.self) { try FieldVault(decoding: Data([0x02])) }
    }
}
