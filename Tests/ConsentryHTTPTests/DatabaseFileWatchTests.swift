import ConsentryHTTP
import ConsentryStore
import ConsentryTesting
import Foundation
import Logging
import Synchronization
import Testing

@Suite("A server whose SQLite file is replaced stops")
struct DatabaseFileWatchTests {
    @Test("the watch ends the server when the file is swapped under it, and not before")
    func replaced() async throws {
        let installation = try await TestInstallation.make(engine: .sqlite)
        let path = installation.dataDirectory.databasePath
        let watch = DatabaseFileWatch(path: path, interval: .milliseconds(20), logger: Logger(label: "test"))
        let finished = Flag()
        let running = Task {
            defer { finished.value.withLock { $0 = true } }
            try await watch.run()
        }
        try await Task.sleep(for: .milliseconds(150))
        // Writes to the file in place are not a replacement.
        try await installation.database.recordOperatorEvent(action: "test", detail: "a write in place")
        try await Task.sleep(for: .milliseconds(100))
        #expect(finished.value.withLock { $0 } == false, "a write in place is no replacement")
        // What a restore by hand does: another file moved over the path.
        let copy = path + ".copy"
        try FileManager.default.copyItem(atPath: path, toPath: copy)
        #expect(rename(copy, path) == 0)
        do {
            try await running.value
            Issue.record("the watch did not notice the replaced file")
        } catch let error as DatabaseFileWatch.Replaced {
            #expect(error.path == path)
        }
    }
}

final class Flag: Sendable {
    let value = Mutex(false)
}
