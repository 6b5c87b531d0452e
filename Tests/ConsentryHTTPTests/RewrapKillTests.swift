import ConsentryCrypto
import ConsentryStore
import ConsentryTesting
import Foundation
import Testing

/// Kills a real `consentry keys rewrap` process with SIGKILL half way, then runs it again.
@Suite("Rewrap survives SIGKILL")
struct RewrapKillTests {
    /// The `consentry` executable built next to this test bundle.
    static var executable: String {
        let testBinary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        return testBinary.deletingLastPathComponent().appendingPathComponent("consentry").path
    }

    @Test("A rewrap process killed with SIGKILL leaves a readable database, and a second run finishes the job")
    func killedRewrap() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.executable), "build the consentry product first")
        let installation = try await TestInstallation.make()
        let path = try installation.writeSyntheticFile(count: 1500)
        _ = try await CustomerImporter(store: installation.store).run(path: path)
        let administration = KeyAdministration(source: installation.dataDirectory.keySource, database: installation.database)
        _ = try await administration.rotate()
        let ring = try installation.dataDirectory.keySource.load()
        let rewrapper = KeyRewrapper(database: installation.database, ring: ring)
        #expect(try await rewrapper.pendingCount() == 1504)  // 1,500 DEKs and 4 system keys

        // One key per transaction, each a durable commit: slow enough to be killed half way.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.executable)
        process.arguments = ["keys", "rewrap", "--data-dir", installation.dataDirectory.path, "--batch-size", "1"]
            + (installation.dataDirectory.databaseURL.map { ["--database", $0] } ?? [])
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        var pending = 1504
        let deadline = Date().addingTimeInterval(60)
        while pending > 1100, Date() < deadline, process.isRunning {
            try await Task.sleep(for: .milliseconds(20))
            pending = try await rewrapper.pendingCount()
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal, "the rewrap must have been killed, not finished")
        // PostgreSQL may still commit a batch whose COMMIT left the killed process just before
        // it died: count once the database has settled (two equal counts 300 ms apart).
        var afterKill = try await rewrapper.pendingCount()
        while true {
            try await Task.sleep(for: .milliseconds(300))
            let again = try await rewrapper.pendingCount()
            if again == afterKill { break }
            afterKill = again
        }
        #expect(afterKill > 0 && afterKill < 1504, "killed half way")

        // Everyone is readable in between: DEKs on either version.
        #expect(try await installation.store.page(after: nil, limit: 2000).count == 1500)

        #expect(try await rewrapper.run() == afterKill)
        #expect(try await rewrapper.pendingCount() == 0)
        _ = try await administration.retire(below: 2)
        let (database, keys) = try await installation.dataDirectory.open()
        #expect(keys.current.ring.versions == [2])
        #expect(try await EncryptedCustomerStore(database: database, keys: keys).page(after: nil, limit: 2000).count == 1500)
    }
}
