import ArgumentParser
import ConsentryCore
import ConsentryPolicy
import ConsentryStore
import Foundation

struct ModulesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "modules", abstract: "The modules of the policy and their API keys.",
        subcommands: [List.self, Key.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the modules, their application types, purposes and operations.")
        @OptionGroup var policy: PolicyOptions

        func run() async throws {
            let loaded = try policy.load().policy
            for module in loaded.modules.values.sorted(by: { $0.id < $1.id }) {
                let ops = ModuleOperation.allCases.filter { module.operations.allows($0) }.map(\.rawValue).joined(separator: ",")
                print("\(module.id)  [\(module.applicationType)]  purposes: \(module.purposes.sorted().joined(separator: ", "))  operations: \(ops)")
            }
        }
    }

    struct Key: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "key", abstract: "Create, list and revoke module API keys.", subcommands: [Create.self, ListKeys.self, Revoke.self])

        struct Create: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Create an API key for MODULE; it is printed once and stored only as a hash.")
            @OptionGroup var data: DataOptions
            @OptionGroup var policy: PolicyOptions
            @Argument(help: "The module id.") var module: String
            @Option(help: "A note to recognise the key by (where it is deployed).") var label = ""
            @Option(help: "Write the key to this new file (mode 0600) instead of printing it.") var output: String?

            func run() async throws {
                guard try policy.load().policy.modules[module] != nil else {
                    throw CommandFailure(message: "no module \"\(module)\" in \(policy.policies); see `consentry modules list`", exitCode: CommandFailure.noInput)
                }
                try await CredentialCommands.create(Principal(kind: .module, id: module), label: label, output: output, data: data)
            }
        }

        struct ListKeys: AsyncParsableCommand {
            static let configuration = CommandConfiguration(commandName: "list", abstract: "List module API keys (never their secrets).")
            @OptionGroup var data: DataOptions
            func run() async throws { try await CredentialCommands.list(.module, data: data) }
        }

        struct Revoke: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Revoke a key by id; a running server refuses it within 2 seconds.")
            @OptionGroup var data: DataOptions
            @Argument(help: "The key id (from `key list`) or the whole key.") var key: String
            func run() async throws { try await CredentialCommands.revoke(key, data: data) }
        }
    }
}

struct OperatorsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "operators", abstract: "API keys for operators (the /admin API).", subcommands: [PersonKeyCommand<Operators>.self])

    enum Operators: KeyHolders {
        static let kind = Principal.Kind.operator
    }
}

struct OfficersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "officers", abstract: "API keys for compliance officers (the /compliance API).", subcommands: [PersonKeyCommand<Officers>.self])

    enum Officers: KeyHolders {
        static let kind = Principal.Kind.officer
    }
}

/// People who hold API keys (operators, officers): one set of key commands for each.
protocol KeyHolders {
    static var kind: Principal.Kind { get }
}

struct PersonKeyCommand<Holders: KeyHolders>: AsyncParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "key", abstract: "Create, list and revoke \(Holders.kind.rawValue) API keys.", subcommands: [Create.self, ListKeys.self, Revoke.self])
    }

    struct Create: AsyncParsableCommand {
        static var configuration: CommandConfiguration { CommandConfiguration(abstract: "Create an \(Holders.kind.rawValue) API key for NAME; printed once.") }
        @OptionGroup var data: DataOptions
        @Argument(help: "Who the key is for.") var name: String
        @Option(help: "A note to recognise the key by.") var label = ""
        @Option(help: "Write the key to this new file (mode 0600) instead of printing it.") var output: String?
        func run() async throws { try await CredentialCommands.create(Principal(kind: Holders.kind, id: name), label: label, output: output, data: data) }
    }

    struct ListKeys: AsyncParsableCommand {
        static var configuration: CommandConfiguration { CommandConfiguration(commandName: "list", abstract: "List \(Holders.kind.rawValue) API keys.") }
        @OptionGroup var data: DataOptions
        func run() async throws { try await CredentialCommands.list(Holders.kind, data: data) }
    }

    struct Revoke: AsyncParsableCommand {
        static var configuration: CommandConfiguration { CommandConfiguration(abstract: "Revoke an \(Holders.kind.rawValue) key by id.") }
        @OptionGroup var data: DataOptions
        @Argument(help: "The key id or the whole key.") var key: String
        func run() async throws { try await CredentialCommands.revoke(key, data: data) }
    }
}

/// The key commands shared by modules, operators and officers; each is an operator event.
enum CredentialCommands {
    static func create(_ principal: Principal, label: String, output: String?, data: DataOptions) async throws {
        let (database, _) = try await data.dataDirectory.open()
        // Refuse an existing output file before creating a key nobody could read.
        if let output, FileManager.default.fileExists(atPath: output) { throw ValidationError("\(output) already exists") }
        let (token, info) = try await ApiKeyStore(database: database).create(for: principal, label: label)
        try await database.recordOperatorEvent(action: "api_key.create", detail: "\(principal) key \(info.id)")
        if let output {
            let fd = open(output, O_WRONLY | O_CREAT | O_EXCL, 0o600)
            guard fd >= 0 else { throw ValidationError("cannot create \(output)") }
            defer { close(fd) }
            let bytes = Array((token + "\n").utf8)
            guard write(fd, bytes, bytes.count) == bytes.count else { throw ValidationError("cannot write \(output)") }
            print("API key \(info.id) for \(principal) written to \(output) (mode 0600)")
        } else {
            Terminal.note("API key \(info.id) for \(principal); shown once, keep it in a secret store:")
            print(token)
        }
    }

    static func list(_ kind: Principal.Kind, data: DataOptions) async throws {
        let (database, _) = try await data.dataDirectory.open()
        let keys = try await ApiKeyStore(database: database).list(kind: kind)
        if keys.isEmpty { Terminal.note("no \(kind.rawValue) keys") }
        for key in keys {
            let state = key.revokedAt.map { "revoked \(ISOTimestamp.format($0))" } ?? "active"
            print("\(key.id)  \(key.principal.id)  created \(ISOTimestamp.format(key.createdAt))  \(state)" + (key.label.isEmpty ? "" : "  \(key.label)"))
        }
    }

    static func revoke(_ key: String, data: DataOptions) async throws {
        let (database, _) = try await data.dataDirectory.open()
        guard let info = try await ApiKeyStore(database: database).revoke(key) else { throw CommandFailure(message: "no key \(key); see `consentry modules key list`", exitCode: CommandFailure.noInput) }
        try await database.recordOperatorEvent(action: "api_key.revoke", detail: "\(info.principal) key \(info.id)")
        print("revoked \(info.id) (\(info.principal))")
    }
}
