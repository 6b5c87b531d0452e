import ArgumentParser
import ConsentryStore

struct InitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create the data directory, a key file (mode 0600) and the encrypted database.")

    @OptionGroup var data: DataOptions

    func run() async throws {
        let directory = data.dataDirectory
        try await directory.initialize()
        print("Initialised \(directory.path)")
        print("  database: \(directory.databaseDisplayName)")
        print("  keys:     \(directory.keySource.label)")
        if case .file(let file) = directory.keySource {
            print("Back up \(file.path) separately from the database: without it the data cannot be decrypted.")
        }
    }
}
