import ArgumentParser
import Foundation

/// `consentry`: the privacy- and consent-centric customer data hub.
public struct ConsentryCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "consentry",
        abstract: "Privacy- and consent-centric customer data hub: encrypted customer repository, purpose policies, guarded API, audit.",
        discussion: """
            Exit codes (sysexits): 0 done; 1 an audit trail that does not verify; 2 an import that \
            wrote rejected rows; 64 a mistake in the command line (the usage is printed); 65 bad \
            input or stored data; 66 no such customer, module, key, request, installation or policy \
            directory; 69 the database cannot be reached; 73 an output file exists or cannot be \
            created; 75 in use or changed meanwhile (a running server, a busy port); 77 refused by \
            policy or state; 78 keys. A failure prints "consentry: <what went wrong>" on stderr.
            """,
        subcommands: [
            InitCommand.self, ImportCommand.self, ExportCommand.self, ServeCommand.self, KeysCommand.self,
            PolicyCommand.self, ModulesCommand.self, OperatorsCommand.self, OfficersCommand.self, AuditCommand.self, TokenCommand.self,
            ConsentsCommand.self, EraseCommand.self, BackupCommand.self, RestoreCommand.self, ReportCommand.self, RetentionCommand.self,
            MigrateCommand.self, MigrateStoreCommand.self, TransparencyCommand.self, BreachCommand.self,
        ])

    public init() {}

    /// Parses the process arguments and runs the chosen command (the executable's entry point).
    /// A mistake in the command line gets ArgumentParser's message and usage (exit 64); a
    /// command that could not do its work says what went wrong, without the usage, and exits
    /// with a code that names the kind of failure (`CommandFailure`).
    public static func runFromCommandLine() async {
        do {
            var command = try parseAsRoot()
            if var asynchronous = command as? any AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
        } catch {
            if let failure = CommandFailure.from(error) {
                FileHandle.standardError.write(Data("consentry: \(failure.message)\n".utf8))
                Foundation.exit(failure.exitCode)
            }
            exit(withError: error)
        }
    }
}

/// Options every command shares.
struct DataOptions: ParsableArguments {
    @Option(name: .long, help: "The data directory (database and key file). Env: CONSENTRY_DATA_DIR.")
    var dataDir: String = ProcessInfo.processInfo.environment["CONSENTRY_DATA_DIR"] ?? ".consentry"

    @Option(name: .long, help: "The KEK file (default: <data-dir>/kek.json). Ignored when CONSENTRY_KEK is set.")
    var keyFile: String?

    @Option(
        name: .long,
        help: "A PostgreSQL database to keep the data in (postgres://user[:password]@host[:port]/db[?sslmode=require]) instead of <data-dir>/consentry.sqlite. Env: CONSENTRY_DATABASE_URL.")
    var database: String? = ProcessInfo.processInfo.environment["CONSENTRY_DATABASE_URL"]

    var dataDirectory: DataDirectory { DataDirectory(path: dataDir, keyFilePath: keyFile, databaseURL: database) }
}

import ConsentryStore
import Foundation
