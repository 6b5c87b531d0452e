import ConsentryCore
import ConsentryCrypto
import ConsentryStorage
@testable import ConsentryStore
import ConsentryTesting
import Foundation
import Testing

/// The README's key section in order (rotate, rewrap, retire) while a server keeps running
/// on its old key ring: no customer may be wrapped under a version that is then retired.
@Suite("The database decides the active KEK version")
struct KeyAuthorityTests {
    @Test("a server that missed a rotation wraps new customers under the new version; retire waits for live servers; nothing is lost")
    func rotateRewrapRetireUnderARunningServer() async throws {
        let installation = try await TestInstallation.make()
        let server = installation.store  // the running server's store, keys loaded at start (version 1)
        let source = installation.dataDirectory.keySource
        let first = try await server.create(SyntheticCustomers().draft(1))
        #expect(installation.keys.current.ring.activeVersion == 1)

        // `consentry keys rotate` in another process: the key file and the database move to 2.
        let administration = KeyAdministration(source: source, database: installation.database)
        #expect(try await administration.rotate() == 2)
        #expect(try await installation.database.read { db in try KeyVersions.active(db) } == 2)

        // The server has not reloaded, yet its next customer is wrapped under version 2.
        let second = try await server.create(SyntheticCustomers().draft(2))
        let versions = try await installation.database.read { db in
            try db.fetchColumn(Int.self, "SELECT kek_version FROM customer WHERE id IN (?, ?) ORDER BY id", [first.id, second.id])
        }
        #expect(versions == [1, 2])
        #expect(installation.keys.current.ring.activeVersion == 2, "the refused wrap reloaded the keys")

        // Rewrap, then retire: refused while a live server still reports version 1.
        #expect(try await KeyRewrapper(database: installation.database, ring: try source.load()).run() > 0)
        _ = try await installation.database.write { db in try KeyVersions.beat(serverID: "server-b", version: 1, db) }
        await #expect(throws: KeyError.serversStillUsing(below: 2, count: 1)) { _ = try await administration.retire(below: 2) }
        _ = try await installation.database.write { db in try KeyVersions.beat(serverID: "server-b", version: 2, db) }
        #expect(try await administration.retire(below: 2) == [1])

        // After the server reloads (SIGHUP), every customer still opens and exports whole.
        try await installation.keys.reload()
        #expect(try await server.customer(id: first.id) == first)
        #expect(try await server.customer(id: second.id)?.id == second.id)
        let report = try await CustomerExporter(store: server).run(destination: "memory") { _ in }
        #expect(report.exported == 2 && report.undecryptable.isEmpty)
    }

    @Test("a process started with a key file from before a rotation is refused, not allowed to wrap under the old version")
    func oldKeyFileRefused() async throws {
        let installation = try await TestInstallation.make()
        let before = try installation.dataDirectory.keySource.load()
        let copy = try TemporaryDirectory()
        let oldFile = KeyFile(path: copy.file("kek.json"))
        try oldFile.create(before)
        _ = try await KeyAdministration(source: installation.dataDirectory.keySource, database: installation.database).rotate()
        await #expect(throws: KeyError.keySourceBehind(source: 1, database: 2)) {
            _ = try await KeyProvider.load(source: .file(oldFile), database: installation.database)
        }
    }

    @Test("an export skips, and names, a customer that does not decrypt instead of failing for everyone")
    func exportSkipsUndecryptable() async throws {
        let installation = try await TestInstallation.make()
        var ids: [String] = []
        for index in 0..<4 { ids.append(try await installation.store.create(SyntheticCustomers().draft(index)).id) }
        let broken = ids[2]
        let donor = ids[0]
        _ = try await installation.database.write { db in
            try db.execute("UPDATE customer SET wrapped_dek = (SELECT wrapped_dek FROM customer WHERE id = ?) WHERE id = ?", [donor, broken])
        }
        var lines = 0
        let report = try await CustomerExporter(store: installation.store).run(destination: "memory") { data in
            lines += data.split(separator: 0x0A).count
        }
        #expect(report.exported == 3)
        #expect(report.undecryptable == [broken])
        #expect(lines == 3)
    }
}
