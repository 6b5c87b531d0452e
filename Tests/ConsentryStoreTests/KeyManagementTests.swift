import ConsentryCore
import ConsentryCrypto
import ConsentryStore
import ConsentryTesting
import Foundation
import ConsentryStorage
import Testing

@Suite("Key files, rotation, rewrap and retirement")
struct KeyManagementTests {
    @Test("The key file is created 0600, and a group-readable key file is refused")
    func keyFilePermissions() async throws {
        let installation = try await TestInstallation.make()
        let path = installation.dataDirectory.keyFilePath
        var info = stat()
        #expect(stat(path, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o600)
        chmod(path, 0o640)
        await #expect(throws: KeyError.insecurePermissions(path: path, mode: 0o640)) { try await installation.dataDirectory.open() }
        chmod(path, 0o604)
        await #expect(throws: KeyError.insecurePermissions(path: path, mode: 0o604)) { try await installation.dataDirectory.open() }
        chmod(path, 0o600)
        _ = try await installation.dataDirectory.open()
    }

    @Test("A different key file does not open the database, and init never overwrites a key file")
    func wrongKey() async throws {
        let installation = try await TestInstallation.make()
        _ = try await installation.store.create(SyntheticCustomers().draft(1))
        let other = try TemporaryDirectory()
        let otherKey = KeyFile(path: other.file("kek.json"))
        try otherKey.create(try KeyRing.generate())
        let wrong = DataDirectory(path: installation.dataDirectory.path, keyFilePath: otherKey.path, databaseURL: installation.dataDirectory.databaseURL, environment: [:])
        await #expect(throws: KeyError.wrongKey) { try await wrong.open() }
        #expect(throws: KeyError.keyFileExists(path: installation.dataDirectory.keyFilePath)) {
            try KeyFile(path: installation.dataDirectory.keyFilePath).create(try KeyRing.generate())
        }
    }

    @Test("Keys from CONSENTRY_KEK work, and cannot be rotated from here")
    func environmentKeys() async throws {
        let key = Data(try SecureRandom.bytes(32)).base64EncodedString()
        let installation = try await TestInstallation.make(environment: ["CONSENTRY_KEK": "1:\(key)"])
        #expect(!FileManager.default.fileExists(atPath: installation.dataDirectory.keyFilePath))
        let created = try await installation.store.create(SyntheticCustomers().draft(5))
        let read = try await installation.store.customer(id: created.id)
        #expect(read?.profile == created.profile)
        #expect(read?.createdAt == created.createdAt)
        await #expect(throws: KeyError.keysFromEnvironment) {
            try await KeyAdministration(source: installation.dataDirectory.keySource, database: installation.database).rotate()
        }
        let malformed = DataDirectory(path: installation.dataDirectory.path, databaseURL: installation.dataDirectory.databaseURL, environment: ["CONSENTRY_KEK": "1:not-base64"])
        await #expect(throws: KeyError.self) { try await malformed.open() }
    }

    @Test("A rewrap killed half way, then run again, leaves every customer readable under the active version")
    func rewrapResumesAfterCrash() async throws {
        let installation = try await TestInstallation.make()
        let path = try installation.writeSyntheticFile(count: 60)
        _ = try await CustomerImporter(store: installation.store).run(path: path)
        let administration = KeyAdministration(source: installation.dataDirectory.keySource, database: installation.database)
        #expect(try await administration.rotate() == 2)
        let ring = try installation.dataDirectory.keySource.load()

        struct Crash: Error {}
        let rewrapper = KeyRewrapper(database: installation.database, ring: ring, batchSize: 10)
        #expect(try await rewrapper.pendingCount() == 64)  // 60 DEKs and 4 system keys (blind-index root, audit checkpoint, receipt signing, event signing)
        await #expect(throws: Crash.self) {
            _ = try await rewrapper.run(beforeCommit: { batch in if batch == 3 { throw Crash() } })
        }
        // Batches 1-2 committed, batch 3 rolled back: the database is half on each version.
        #expect(try await rewrapper.pendingCount() == 40)
        await #expect(throws: KeyError.versionsStillInUse(below: 2, count: 40)) { try await administration.retire(below: 2) }
        // The server keeps reading both halves meanwhile.
        #expect(try await installation.store.count() == 60)
        #expect(try await installation.store.page(after: nil, limit: 100).count == 60)

        #expect(try await rewrapper.run() == 40)
        #expect(try await rewrapper.pendingCount() == 0)
        #expect(try await administration.retire(below: 2) == [1])
        let status = try await KeyStatus.read(ring: try installation.dataDirectory.keySource.load(), source: installation.dataDirectory.keySource, database: installation.database)
        #expect(status.versions.map(\.version) == [2])
        #expect(status.versions[0].dataKeys == 60 && status.versions[0].systemKeys == 4)

        // Reopen with only version 2 on disk: everything still decrypts and search still works.
        let (database, keys) = try await installation.dataDirectory.open()
        #expect(keys.current.ring.versions == [2])
        let store = EncryptedCustomerStore(database: database, keys: keys)
        let everyone = try await store.page(after: nil, limit: 100)
        #expect(everyone.count == 60)
        let email = try #require(everyone.first?.profile.emails.first)
        #expect(try await store.customers(where: .email, equals: email).count == 1)
        let events = try await database.operatorEvents().map(\.action)
        #expect(events.contains("keys.rotate") && events.contains("keys.retire"))
    }

    @Test("A running store picks up a rotation made by another process when it meets the new version")
    func reloadOnUnknownVersion() async throws {
        let installation = try await TestInstallation.make()
        let created = try await installation.store.create(SyntheticCustomers().draft(1))
        _ = try await KeyAdministration(source: installation.dataDirectory.keySource, database: installation.database).rotate()
        _ = try await KeyRewrapper(database: installation.database, ring: try installation.dataDirectory.keySource.load()).run()
        #expect(installation.keys.current.ring.activeVersion == 1)
        #expect(try await installation.store.customer(id: created.id) == created)
        #expect(installation.keys.current.ring.activeVersion == 2)
    }
}
