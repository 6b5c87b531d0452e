import ArgumentParser
import ConsentryCore
import ConsentryPolicy
import ConsentryStore
import ConsentryUseCases
import Foundation

/// The breach register from the command line (the same use case as /compliance/v1/breaches):
/// what a DPO runs at 3 a.m. on the data directory, without a server or a key.
struct BreachCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "breach", abstract: "The personal-data breach register (GDPR Art. 33/34): record, list, show, notify, letters.",
        subcommands: [Record.self, List.self, Show.self, AuthorityNotified.self, Decide.self, Letters.self])

    static func register(_ data: DataOptions, policies: PolicyRegistry) async throws -> BreachRegister {
        let (database, keys) = try await data.dataDirectory.open()
        return BreachRegister(
            store: BreachStore(database: database, customers: EncryptedCustomerStore(database: database, keys: keys)),
            audit: AuditLog(database: database, keys: keys), policies: policies)
    }

    static func date(_ text: String, _ option: String) throws -> Date {
        guard let date = ISODate.parseDateOrDateTime(text) else { throw ValidationError("\(option) must be a date-time such as 2026-12-01T09:30:00Z") }
        return date
    }

    static func print(_ overview: BreachRegister.Overview) {
        let breach = overview.breach
        Swift.print("breach \(breach.id): \(breach.title)")
        Swift.print("  discovered \(ISOTimestamp.format(breach.discoveredAt)); \(overview.affectedCount) customer(s) affected; categories \(breach.categories.joined(separator: " "))")
        for clock in overview.clocks {
            let due = clock.dueAt.map(ISOTimestamp.format) ?? "no fixed deadline"
            let state = breach.authorityNotifiedAt != nil ? "notified" : clock.isOverdue(notifiedAt: nil, at: Date()) ? "OVERDUE" : "open"
            Swift.print("  \(clock.jurisdiction.id): \(clock.affected) affected; tell \(clock.jurisdiction.supervisoryAuthority) by \(due) [\(state)]")
        }
        if let hours = overview.hoursLeft(at: Date()) { Swift.print("  \(hours) hour(s) left to the first deadline") }
        if let decision = breach.customerNotification {
            Swift.print("  customers: \(decision.notify ? "notify" : "do not notify") (\(decision.reason))")
        }
    }

    struct Record: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record a breach; affected customers are a module's reads in a window (--module --from --until) or a list (--customers-file, one id per line).")
        @OptionGroup var policy: PolicyOptions
        @OptionGroup var data: DataOptions
        @Option var title: String
        @Option(help: "The nature of the breach (Art. 33(3)(a)).") var description: String
        @Option(help: "When it was discovered (RFC 3339).") var discovered: String
        @Option(help: "Likely consequences (Art. 33(3)(c)).") var consequences: String
        @Option(help: "Measures taken or proposed (Art. 33(3)(d)).") var measures: String
        @Option(help: "Comma-separated data categories concerned.") var categories: String?
        @Option(help: "The module whose reads were exposed.") var module: String?
        @Option(help: "Start of the window of reads (RFC 3339).") var from: String?
        @Option(help: "End of the window of reads (RFC 3339).") var until: String?
        @Option(help: "A file of affected customer ids, one per line.") var customersFile: String?

        func run() async throws {
            let affected: BreachRegister.Report.Affected
            switch (module, customersFile) {
            case (let module?, nil):
                guard let from, let until else { throw ValidationError("--module needs --from and --until") }
                affected = .moduleReads(module: module, from: try BreachCommand.date(from, "--from"), until: try BreachCommand.date(until, "--until"))
            case (nil, let file?):
                guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                    throw CommandFailure(message: "cannot read \(file)", exitCode: CommandFailure.noInput)
                }
                affected = .customers(text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
            default: throw ValidationError("give --module (with --from and --until) or --customers-file")
            }
            let register = try await BreachCommand.register(data, policies: try policy.load())
            let overview = try await register.record(
                BreachRegister.Report(
                    title: title, description: description, discoveredAt: try BreachCommand.date(discovered, "--discovered"),
                    categories: categories?.split(separator: ",").map(String.init) ?? [], consequences: consequences, measures: measures, affected: affected),
                officer: OperatorIdentity.current, requestID: "cli")
            BreachCommand.print(overview)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every breach, newest first, with its clocks.")
        @OptionGroup var policy: PolicyOptions
        @OptionGroup var data: DataOptions
        func run() async throws {
            let overviews = try await BreachCommand.register(data, policies: try policy.load()).list()
            if overviews.isEmpty { Swift.print("no breaches recorded") }
            overviews.forEach(BreachCommand.print)
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The breach record, or its affected customers, as JSON, HTML or CSV.")
        @OptionGroup var policy: PolicyOptions
        @OptionGroup var data: DataOptions
        @OptionGroup var output: ReportCommand.Output
        @Argument var id: String
        @Flag(help: "The affected customers instead of the record.") var customers = false
        func run() async throws {
            let register = try await BreachCommand.register(data, policies: try policy.load())
            try await output.emit {
                let overview = try await register.overview(id: id)
                return customers ? .breachCustomers(overview.breach, affected: try await register.affected(id: id)) : overview.report()
            }
        }
    }

    struct AuthorityNotified: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "authority-notified", abstract: "Record that the supervisory authority was told (Art. 33).")
        @OptionGroup var policy: PolicyOptions
        @OptionGroup var data: DataOptions
        @Argument var id: String
        @Option(help: "The authority's reference.") var reference: String?
        @Option(help: "When (RFC 3339; default now).") var at: String?
        func run() async throws {
            let register = try await BreachCommand.register(data, policies: try policy.load())
            BreachCommand.print(try await register.authorityNotified(
                id: id, at: try at.map { try BreachCommand.date($0, "--at") } ?? Date(), reference: reference, officer: OperatorIdentity.current,
                requestID: "cli"))
        }
    }

    struct Decide: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record whether the customers are told (Art. 34), and why.")
        @OptionGroup var policy: PolicyOptions
        @OptionGroup var data: DataOptions
        @Argument var id: String
        @Flag(inversion: .prefixedNo, help: "Tell the customers, or not.") var notify: Bool
        @Option var reason: String
        func run() async throws {
            let register = try await BreachCommand.register(data, policies: try policy.load())
            BreachCommand.print(try await register.decideCustomerNotification(id: id, notify: notify, reason: reason, officer: OperatorIdentity.current, requestID: "cli"))
        }
    }

    struct Letters: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The letters to the affected customers, each in their language (after the decision to notify).")
        @OptionGroup var policy: PolicyOptions
        @OptionGroup var data: DataOptions
        @OptionGroup var output: ReportCommand.Output
        @Argument var id: String
        @Flag(help: "Record that the letters were sent.") var markSent = false
        func run() async throws {
            let register = try await BreachCommand.register(data, policies: try policy.load())
            try await output.emit {
                let overview = try await register.overview(id: id)
                let (letters, unaddressable) = try await register.letters(id: id, markSent: markSent, officer: OperatorIdentity.current, requestID: "cli")
                return .breachLetters(overview.breach, letters: letters, unaddressable: unaddressable)
            }
        }
    }
}
