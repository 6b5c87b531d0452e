import ConsentryTesting
import Foundation
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `consentry serve --demo`, the README's first command, run as a real process.
@Suite("The one-command demo")
struct DemoCommandTests {
    func get(_ url: String, key: String? = nil, purpose: String? = nil) async throws -> (Int, String)? {
        var request = URLRequest(url: URL(string: url)!)
        if let key { request.setValue("Bearer \(key)", forHTTPHeaderField: "Authorization") }
        if let purpose { request.setValue(purpose, forHTTPHeaderField: "X-Purpose") }
        guard let (data, response) = try? await URLSession.shared.data(for: request) else { return nil }
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }

    /// Starts `serve --demo` and waits until it is ready (or exits).
    func startDemo(data: String, port: Int, output: String) async throws -> Process {
        FileManager.default.createFile(atPath: output, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: RewrapKillTests.executable)
        process.arguments = ["serve", "--demo", "--data-dir", data, "--port", String(port), "--fixtures", RepositoryFixtures.directory]
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
        process.standardError = process.standardOutput
        try process.run()
        for _ in 0..<150 where process.isRunning {
            if try await get("http://127.0.0.1:\(port)/health/ready")?.0 == 200 { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        if !process.isRunning, process.terminationStatus != 75 {
            Issue.record("the demo exited with \(process.terminationStatus): \((try? String(contentsOfFile: output, encoding: .utf8)) ?? "")")
        }
        return process
    }

    func demoKeys(_ data: String) throws -> [String: String] {
        let text = try String(contentsOfFile: (data as NSString).appendingPathComponent("demo-keys.env"), encoding: .utf8)
        return Dictionary(uniqueKeysWithValues: text.split(separator: "\n").map { line in
            let parts = line.split(separator: "=", maxSplits: 1)
            return (String(parts[0]), String(parts[1]))
        })
    }

    @Test("the demo seeds requests for the officer, refuses a second server, and keeps its keys across a restart")
    func demoStaysUsable() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: RewrapKillTests.executable), "build the consentry product first")
        let directory = try TemporaryDirectory()
        let data = directory.file("demo")
        let port = LoopbackPort.unused()
        let first = try await startDemo(data: data, port: port, output: directory.file("first.out"))
        defer { if first.isRunning { first.terminate(); first.waitUntilExit() } }
        let keys = try demoKeys(data)
        let base = "http://127.0.0.1:\(port)"

        // Every compliance example has something to show: overdue, due soon, completed, an erasure.
        let listed = try #require(try await get("\(base)/compliance/v1/requests", key: keys["OFFICER_KEY"]))
        #expect(listed.0 == 200)
        let requests = try #require(try JSONSerialization.jsonObject(with: Data(listed.1.utf8)) as? [[String: Any]])
        #expect(requests.map { $0["type"] as? String }.sorted { ($0 ?? "") < ($1 ?? "") } == ["access", "erasure", "portability", "rectification"])
        #expect(requests.filter { $0["overdue"] as? Bool == true }.map { $0["type"] as? String } == ["access"])
        let erasure = try #require(requests.first { $0["type"] as? String == "erasure" })
        #expect(erasure["status"] as? String == "completed")
        let erased = try #require(erasure["customerId"] as? String)
        let report = try await get("\(base)/compliance/v1/reports/erasure/\(erased)", key: keys["OFFICER_KEY"])
        #expect(report?.0 == 200 && report?.1.contains("\"Data key\":\"destroyed") == true, "\(report?.1.prefix(200) ?? "")")

        // A second server on the same data directory is refused, naming the first.
        let second = try await startDemo(data: data, port: LoopbackPort.unused(), output: directory.file("second.out"))
        second.waitUntilExit()
        #expect(second.terminationStatus == 75)
        let refusal = try String(contentsOfFile: directory.file("second.out"), encoding: .utf8)
        #expect(refusal.contains("is in use by consentry serve (pid \(first.processIdentifier))"), "\(refusal)")
        #expect(try await get("\(base)/tmf-api/customerManagement/v4/customer?limit=1", key: keys["CSR_KEY"], purpose: "customer-care")?.0 == 200)

        // Restarted, the demo keeps the keys a second terminal sourced.
        first.terminate()
        first.waitUntilExit()
        let restarted = try await startDemo(data: data, port: port, output: directory.file("restarted.out"))
        defer { restarted.terminate(); restarted.waitUntilExit() }
        #expect(try demoKeys(data) == keys)
        #expect(try await get("\(base)/tmf-api/customerManagement/v4/customer?limit=1", key: keys["CSR_KEY"], purpose: "customer-care")?.0 == 200)
        #expect(try await get("\(base)/compliance/v1/requests", key: keys["OFFICER_KEY"])?.0 == 200)
        let guide = try String(contentsOfFile: directory.file("restarted.out"), encoding: .utf8)
        #expect(guide.contains("using the existing data") && guide.contains(keys["CSR_KEY"]!))
    }

    @Test("serve --demo on an empty data directory initialises it, imports Fixtures/, serves, and says what to try")
    func demo() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: RewrapKillTests.executable), "build the consentry product first")
        let directory = try TemporaryDirectory()
        let data = directory.file("demo")
        let port = LoopbackPort.unused()
        let output = directory.file("demo.out")
        let process = try await startDemo(data: data, port: port, output: output)
        defer {
            process.terminate()
            process.waitUntilExit()
        }
        let ready = try await get("http://127.0.0.1:\(port)/health/ready")
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
