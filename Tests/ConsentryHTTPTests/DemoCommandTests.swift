import ConsentryTesting
import Foundation
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `consentry serve --demo`, the README's first command, run as a real process.
@Suite("The one-command demo")
struct DemoCommandTests {
    func get(_ url: String) async throws -> (Int, String)? {
        guard let (data, response) = try? await URLSession.shared.data(from: URL(string: url)!) else { return nil }
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }

    @Test("serve --demo on an empty data directory initialises it, imports Fixtures/, serves, and says what to try")
    func demo() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: RewrapKillTests.executable), "build the consentry product first")
        let directory = try TemporaryDirectory()
        let data = directory.file("demo")
        let port = Int.random(in: 20_000..<40_000)
        let output = directory.file("demo.out")
        FileManager.default.createFile(atPath: output, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: RewrapKillTests.executable)
        process.arguments = ["serve", "--demo", "--data-dir", data, "--port", String(port), "--fixtures", RepositoryFixtures.directory]
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer {
            process.terminate()
            process.waitUntilExit()
        }
        var ready: (Int, String)?
        for _ in 0..<150 where ready?.0 != 200 {
            try await Task.sleep(for: .milliseconds(200))
            ready = try await get("http://127.0.0.1:\(port)/health/ready")
        }
        #expect(ready?.0 == 200)
        #expect(ready?.1 == #"{"status":"ready","checks":{"audit":"ok","database":"ok","keys":"ok"}}"#, "as the README shows it")
        let metrics = try await get("http://127.0.0.1:\(port)/metrics")
        #expect(metrics?.1.contains("consentry_kek_active_version 1") == true)
        #expect(metrics?.1.contains("consentry_customers") == false, "no customer count for unauthenticated scrapers")
        let missing = try await get("http://127.0.0.1:\(port)/no-such-route")
        #expect(missing?.0 == 404)
        let guide = try String(contentsOfFile: output, encoding: .utf8)
        #expect(guide.contains("imported 240 synthetic customers"))
        #expect(guide.contains("curl -s http://127.0.0.1:\(port)/health/ready"))
        var info = stat()
        #expect(stat((data as NSString).appendingPathComponent("kek.json"), &info) == 0)
        #expect(info.st_mode & 0o777 == 0o600)
    }
}
