import ConsentryCore
import ConsentryCrypto
import ConsentryHTTP
import ConsentryStorage
import ConsentryStore
import ConsentryTesting
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@Suite("Readiness reports keys that cannot open the data")
struct KeyHealthTests {
    @Test("when the key file lost a version that wrapped keys still use, /health/ready answers 503 naming it")
    func missingVersion() async throws {
        let fixture = try await GuardedAPIFixture.make(customerCount: 2)
        try await fixture.withServer { client in
            #expect(try await client.execute(uri: "/health/ready", method: .get).status == .ok)
            // Rotate and rewrap, then drop version 1 from the key file by hand while one
            // customer's key is still recorded under it (what a lost rewrap leaves behind).
            let source = fixture.installation.dataDirectory.keySource
            _ = try await KeyAdministration(source: source, database: fixture.installation.database).rotate()
            _ = try await KeyRewrapper(database: fixture.installation.database, ring: try source.load()).run()
            var ring = try source.load()
            try ring.retire(below: 2)
            try source.save(ring)
            try await fixture.services.keys.reload()
            let left = fixture.customers[0].id
            _ = try await fixture.installation.database.write { db in try db.execute("UPDATE customer SET kek_version = 1 WHERE id = ?", [left]) }
            let ready = try await client.execute(uri: "/health/ready", method: .get)
            #expect(ready.status == .serviceUnavailable)
            #expect(ready.text.contains("keys: missing version 1"), "\(ready.text)")
        }
    }
}
