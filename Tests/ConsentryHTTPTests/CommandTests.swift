import ArgumentParser
import ConsentryCommands
import ConsentryCore
import ConsentryStorage
import ConsentryStore
import ConsentryTesting
import Foundation
import Testing
import ConsentryRecords

/// The `consentry` commands, run in-process exactly as the executable parses them.
@Suite("consentry commands")
struct CommandTests {
    /// A data directory made by `init` and `import` of the fixtures, its database, and the first two customer ids.
    func fixturesInstallation() async throws -> (TemporaryDirectory, String, AppDatabase, [String]) {
        let directory = try TemporaryDirectory()
        let data = directory.file("data")
        try await run(["init", "--data-dir", data])
        try await run(["import", RepositoryFixtures.path("customers.jsonl"), "--data-dir", data])
        let (database, _) = try await DataDirectory(path: data).open()
        let ids = try await database.read { db in try db.fetchColumn(String.self, "SELECT id FROM customer ORDER BY id LIMIT 2") }
        return (directory, data, database, ids)
    }

    /// Runs the built `consentry` executable from the repository folder and waits for it.
    func runExecutable(_ arguments: [String]) throws -> (status: Int32, output: String, errors: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: RewrapKillTests.executable)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: RepositoryFixtures.path(".."))
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let outputText = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, outputText, errorText)
    }

    func run(_ arguments: [String]) async throws {
        let command = try ConsentryCommand.parseAsRoot(arguments)
        guard var asyncCommand = command as? any AsyncParsableCommand else {
            Issue.record("\(arguments.first ?? "") is not an async command")
            return
        }
        try await asyncCommand.run()
    }

    @Test("restore is refused while a server holds the data directory, leaving the database as it was; it runs once the server is gone")
    func restoreRefusedUnderServer() async throws {
        let directory = try TemporaryDirectory()
        let data = directory.file("data")
        try await run(["init", "--data-dir", data])
        let backup = directory.file("backup.sqlite")
        try await run(["backup", "--to", backup, "--data-dir", data])
        let installation = DataDirectory(path: data, environment: [:])
        let before = try #require(DatabaseFileIdentity(path: installation.databasePath))
        do {
            let server = try InstallationLock(directory: installation, purpose: "serve")  // what `serve` holds while it runs
            do {
                try await run(["restore", "--from", backup, "--data-dir", data, "--policies", RepositoryFixtures.policiesDirectory])
                Issue.record("restore ran under a server")
            } catch let error as StoreError {
                #expect(error.code == .installationBusy)
                #expect(error.message.contains("consentry serve (pid \(getpid()))"))
            }
            #expect(DatabaseFileIdentity(path: installation.databasePath) == before)
            // A second server on the same SQLite installation is refused too.
            await #expect(throws: StoreError.self) { try await run(["serve", "--data-dir", data, "--port", "0"]) }
            withExtendedLifetime(server) {}
        }
        try await run(["restore", "--from", backup, "--data-dir", data, "--policies", RepositoryFixtures.policiesDirectory])
        #expect(DatabaseFileIdentity(path: installation.databasePath) != before)
    }

    @Test("migrate refuses an empty data directory and, after init, finds the schema up to date")
    func migrate() async throws {
        let directory = try TemporaryDirectory()
        let data = directory.file("data")
        await #expect(throws: StoreError.self) { try await run(["migrate", "--data-dir", data]) }
        #expect(!FileManager.default.fileExists(atPath: (data as NSString).appendingPathComponent("consentry.sqlite")))
        try await run(["init", "--data-dir", data])
        try await run(["migrate", "--data-dir", data])

        // A database one migration behind: migrate applies it and says which, and how long.
        let engine = try await DataDirectory(path: data).openEngine()
        _ = try await engine.write { db in
            try db.execute("DELETE FROM grdb_migrations WHERE identifier = 'v11-transparency-log'", [])
            try db.execute("DROP TABLE transparency_node", [])
            try db.execute("DROP TABLE transparency_head", [])
        }
        try engine.close()
        let (status, text, _) = try runExecutable(["migrate", "--data-dir", data])
        #expect(status == 0)
        #expect(text.contains("12 migrations applied; 1 just now, in ") && text.contains("  v11-transparency-log  (applied now)"), "\(text)")
        #expect(!text.contains("v10-web-sessions  (applied now)"))
    }

    @Test("serve refuses a key file readable by group or others, before listening")
    func serveRefusesGroupReadableKeyFile() async throws {
        let directory = try TemporaryDirectory()
        let data = directory.file("data")
        try await run(["init", "--data-dir", data])
        let keyFile = (data as NSString).appendingPathComponent("kek.json")
        chmod(keyFile, 0o640)
        await #expect(throws: KeyError.insecurePermissions(path: keyFile, mode: 0o640)) {
            try await run(["serve", "--data-dir", data, "--port", "0"])
        }
    }

    @Test("init, import with rejects, keys rotate/rewrap/retire and export work end to end on a real data directory")
    func lifecycle() async throws {
        let directory = try TemporaryDirectory()
        let data = directory.file("data")
        try await run(["init", "--data-dir", data])
        await #expect(throws: StoreError.self) { try await run(["init", "--data-dir", data]) }
        let csv = directory.file("legacy.csv")
        try FileManager.default.copyItem(atPath: RepositoryFixtures.path("customers-legacy.csv"), toPath: csv)
        // Rejected rows make the command exit 2, after importing the good ones.
        await #expect(throws: (any Error).self) { try await run(["import", csv, "--data-dir", data]) }
        #expect(FileManager.default.fileExists(atPath: csv + ".rejects.jsonl"))
        try await run(["import", RepositoryFixtures.path("customers.jsonl"), "--data-dir", data, "--rejects", directory.file("r.jsonl")])
        try await run(["keys", "rotate", "--data-dir", data])
        await #expect(throws: KeyError.versionsStillInUse(below: 2, count: 249)) { try await run(["keys", "retire", "--below", "2", "--data-dir", data]) }
        try await run(["keys", "rewrap", "--data-dir", data, "--batch-size", "50"])
        try await run(["keys", "retire", "--below", "2", "--data-dir", data])
        try await run(["keys", "status", "--data-dir", data, "--json"])
        let output = directory.file("export.jsonl")
        try await run(["export", "--data-dir", data, "-o", output])
        let lines = try String(contentsOfFile: output, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 245)
        var info = stat()
        stat(output, &info)
        #expect(info.st_mode & 0o777 == 0o600)
        stat((data as NSString).appendingPathComponent("consentry.sqlite"), &info)
        #expect(info.st_mode & 0o077 == 0)
    }

    @Test("exports and backups are created in one exclusive open: an existing file or a planted symlink is refused and left untouched (#11 finding 10)")
    func outputsNeverFollowSymlinks() async throws {
        let (directory, data, _, _) = try await fixturesInstallation()
        let victim = directory.file("victim.txt")
        try "untouched".write(toFile: victim, atomically: true, encoding: .utf8)
        for command in [["export", "--data-dir", data, "-o"], ["backup", "--data-dir", data, "--to"]] {
            let link = directory.file("planted-\(command[0])")
            try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: victim)
            await #expect(throws: (any Error).self) { try await run(command + [link]) }
            await #expect(throws: (any Error).self) { try await run(command + [victim]) }
            #expect(try String(contentsOfFile: victim, encoding: .utf8) == "untouched", "\(command[0])")
        }
        let backup = directory.file("fresh.sqlite")
        try await run(["backup", "--data-dir", data, "--to", backup])
        var info = stat()
        stat(backup, &info)
        #expect(info.st_mode & 0o777 == 0o600)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasPrefix(".consentry-backup") }
        #expect(leftovers.isEmpty)
    }

    @Test("erase --request carries the request out through the same workflow as /compliance: the request moves on, another customer's request is refused")
    func eraseCarriesOutARequest() async throws {
        let (directory, data, database, ids) = try await fixturesInstallation()
        var request = DataSubjectRequest(id: UUID().uuidString.lowercased(), customerID: ids[0], type: .erasure, receivedAt: Date(), channel: "web", filedBy: .customer)
        request.status = .inProgress
        _ = try await DataSubjectRequestStore(database: database).file(request)
        await #expect(throws: (any Error).self) { try await run(["erase", "--data-dir", data, "--customer", ids[0], "--request", UUID().uuidString.lowercased()]) }
        await #expect(throws: (any Error).self) { try await run(["erase", "--data-dir", data, "--customer", ids[1], "--request", request.id]) }
        let untouched = try await database.read { db in try db.fetchValue(Int.self, "SELECT COUNT(*) FROM customer WHERE erased_at IS NOT NULL") }
        #expect(untouched == 0, "a request names its customer: nobody else is erased")
        try await run(["erase", "--data-dir", data, "--customer", ids[0], "--request", request.id])
        let stored = try #require(try await DataSubjectRequestStore(database: database).request(id: request.id))
        #expect(stored.status == .completed && stored.erasureEventID != nil)
        let erased = try await database.read { db in try db.fetchValue(String.self, "SELECT erased_at FROM customer WHERE id = ?", [ids[0]]) }
        #expect(erased != nil)
    }

    @Test("report access and report erasure go through the reporting use case the server uses: written to a new 0600 file, audited with the operator")
    func reportsFromTheCLI() async throws {
        let (directory, data, database, ids) = try await fixturesInstallation()
        let policies = ["--policies", RepositoryFixtures.policiesDirectory]
        let output = directory.file("access.html")
        try await run(["report", "access", "--data-dir", data, "--customer", ids[0], "--format", "html", "--output", output] + policies)
        var info = stat()
        stat(output, &info)
        #expect(info.st_mode & 0o777 == 0o600)
        await #expect(throws: (any Error).self) {
            try await run(["report", "access", "--data-dir", data, "--customer", ids[0], "--output", output] + policies)
        }
        try await run(["erase", "--data-dir", data, "--customer", ids[1]] + policies)
        try await run(["report", "erasure", "--data-dir", data, "--customer", ids[1], "--output", directory.file("erasure.json")] + policies)
        await #expect(throws: (any Error).self) { try await run(["report", "erasure", "--data-dir", data, "--customer", ids[0]] + policies) }
        let audited = try await database.read { db in
            try db.fetchAll("SELECT action, actor_kind, customer_id FROM audit_entry WHERE action LIKE 'report.%' ORDER BY seq")
                .map { "\($0["action"] as String) \($0["actor_kind"] as String) \($0["customer_id"] as String)" }
        }
        #expect(audited == ["report.access operator \(ids[0])", "report.erasure operator \(ids[1])"], "\(audited)")
    }

    @Test("a command that cannot do its work says why without the usage text, with a sysexits code for the kind of failure (#17)")
    func runtimeFailuresAreNotUsageErrors() async throws {
        let (directory, data, _, _) = try await fixturesInstallation()
        func consentry(_ arguments: [String]) throws -> (status: Int32, stderr: String) {
            let result = try runExecutable(arguments)
            return (result.status, result.errors)
        }
        let cases: [([String], Int32, String)] = [
            (["token", "--customer", "no-such-customer", "--data-dir", data], 66, "no customer no-such-customer"),
            (["erase", "--customer", "no-such-customer", "--data-dir", data], 66, "no customer"),
            (["modules", "key", "revoke", "000000000000", "--data-dir", data], 66, "no key"),
            (["keys", "status", "--data-dir", directory.file("nowhere")], 66, "no Consentry installation at /"),
            (["export", "--data-dir", data, "-o", RepositoryFixtures.path("customers.jsonl")], 73, "already exists"),
            (["policy", "check", "--policies", directory.file("no-policies")], 66, "no policy directory at /"),
        ]
        for (arguments, status, words) in cases {
            let (code, stderr) = try consentry(arguments)
            #expect(code == status, "\(arguments): exit \(code), \(stderr)")
            #expect(stderr.hasPrefix("consentry: ") && stderr.contains(words) && !stderr.contains("Usage:"), "\(arguments): \(stderr)")
        }
        // The codes are documented where a user looks: `consentry --help`.
        let helpText = try runExecutable(["--help"]).output
        for code in ["65 bad", "66 no such", "69 the database", "73 an output", "75 in use", "77 refused", "78 keys"] {
            #expect(helpText.replacingOccurrences(of: "\n", with: " ").contains(code), "--help lacks \(code)")
        }
        // A port in use is named, with the option that changes it.
        let port = String(LoopbackPort.unused())
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: RewrapKillTests.executable)
        holder.arguments = ["serve", "--data-dir", data, "--port", port, "--policies", RepositoryFixtures.policiesDirectory]
        holder.standardOutput = Pipe()
        holder.standardError = Pipe()
        try holder.run()
        defer { holder.terminate() }
        for _ in 0..<100 where (try? String(contentsOf: URL(string: "http://127.0.0.1:\(port)/health/live")!, encoding: .utf8)) == nil {
            try await Task.sleep(for: .milliseconds(100))
        }
        let other = directory.file("other")
        try await run(["init", "--data-dir", other])
        let (clash, clashText) = try consentry(["serve", "--data-dir", other, "--port", port, "--policies", RepositoryFixtures.policiesDirectory])
        #expect(clash == 75 && clashText.contains("port \(port) on 127.0.0.1 is already in use") && clashText.contains("--port"), "\(clashText)")
        // A mistake in the command line still gets the usage.
        let (code, stderr) = try consentry(["token", "--data-dir", data])
        #expect(code == 64 && stderr.contains("Usage:"))
    }
}
