import ArgumentParser
import ConsentryCore
import ConsentryPolicy
import ConsentryStore
import ConsentryUseCases
import Foundation
import ConsentryRecords

struct ReportCommand: AsyncParsableCommand {
    /// The reporting use case the server uses, over the data directory.
    static func reporting(_ data: DataOptions, policies: PolicyRegistry) async throws -> ComplianceReporting {
        let (database, keys) = try await data.dataDirectory.open()
        return ComplianceReporting(
            reports: ComplianceReports(database: database, customers: EncryptedCustomerStore(database: database, keys: keys)),
            audit: AuditLog(database: database, keys: keys), policies: policies)
    }

    static let configuration = CommandConfiguration(
        commandName: "report", abstract: "Compliance reports as JSON, HTML or CSV (the same as GET /compliance/v1/reports/...).",
        subcommands: [RecordOfProcessing.self, Access.self, Erasure.self, Consents.self, Requests.self])

    struct Output: ParsableArguments {
        @Option(help: "json, html or csv.") var format = "json"
        @Option(help: "Write to this new file (mode 0600) instead of standard output.") var output: String?

        /// Writes `report` where asked. The output file is created first, so a report about a
        /// customer is produced (and audited) only once it has somewhere to go.
        func emit(_ report: () async throws -> ReportDocument) async throws {
            guard ["json", "html", "csv"].contains(format) else { throw ValidationError("--format must be json, html or csv") }
            // Reports name customers and may hold their data: owner-only, never overwritten, no symlink followed.
            let handle = try output.map(PrivateOutputFile.create)
            let document: ReportDocument
            do { document = try await report() } catch {
                if let output { unlink(output) }  // the empty file this call created
                throw error
            }
            let text: String = switch format {
            // Indented for a person at a terminal, one compact line for a pipe or a file.
            case "json": (output == nil && isatty(STDOUT_FILENO) == 1 ? document.json.indented : String(decoding: document.json.bytes, as: UTF8.self)) + "\n"
            case "html": document.html
            default: document.csv
            }
            guard let handle, let output else {
                print(text, terminator: "")
                return
            }
            try handle.write(contentsOf: Data(text.utf8))
            try handle.close()
            Terminal.note("\(document.title) written to \(output)")
        }
    }

    struct RecordOfProcessing: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "record-of-processing", abstract: "Record of processing activities (GDPR Art. 30) from Policies/.")
        @OptionGroup var policy: PolicyOptions
        @OptionGroup var output: Output
        func run() async throws {
            let policies = try policy.load()
            try await output.emit { ReportDocument.recordOfProcessing(policy: policies.policy, generatedAt: Date()) }
        }
    }

    struct Access: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Access report (GDPR Art. 15) for one customer.")
        @OptionGroup var data: DataOptions
        @OptionGroup var policy: PolicyOptions
        @OptionGroup var output: Output
        @Option(help: "The customer id.") var customer: String
        func run() async throws {
            let reporting = try await ReportCommand.reporting(data, policies: try policy.load())
            try await output.emit { try await reporting.access(customerID: customer, by: AuditActor(.operator, OperatorIdentity.current), requestID: nil) }
        }
    }

    struct Erasure: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Erasure report for one erased customer.")
        @OptionGroup var data: DataOptions
        @OptionGroup var policy: PolicyOptions
        @OptionGroup var output: Output
        @Option(help: "The customer id.") var customer: String
        func run() async throws {
            let reporting = try await ReportCommand.reporting(data, policies: try policy.load())
            try await output.emit { try await reporting.erasure(customerID: customer, by: AuditActor(.operator, OperatorIdentity.current), requestID: nil) }
        }
    }

    struct Consents: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Consent report (state by purpose, changes in a window); with --csv, every customer's current consent, streamed to a file.")
        @OptionGroup var data: DataOptions
        @OptionGroup var policy: PolicyOptions
        @OptionGroup var output: Output
        @Option(help: "Only this purpose.") var purpose: String?
        @Option(help: "Only this state: given, refused or withdrawn.") var status: String?
        @Option(help: "Changes through this channel only.") var channel: String?
        @Option(help: "Changes from this time (ISO 8601).") var from: String?
        @Option(help: "Changes before this time (ISO 8601).") var to: String?
        @Option(help: "Write every customer's consents to this new CSV file instead.") var csv: String?

        func run() async throws {
            let policies = try policy.load()
            func date(_ text: String?, _ name: String) throws -> Date? {
                guard let text else { return nil }
                guard let date = ISO8601DateFormatter().date(from: text) else { throw ValidationError("--\(name) must be an ISO 8601 time") }
                return date
            }
            let filter = ComplianceReports.ConsentFilter(
                purpose: purpose, status: try status.map { guard let s = ConsentStatus(rawValue: $0) else { throw ValidationError("--status must be given, refused or withdrawn") }; return s },
                channel: try channel.map { guard let c = ConsentEvent.Channel(rawValue: $0) else { throw ValidationError("unknown --channel") }; return c },
                from: try date(from, "from"), to: try date(to, "to"))
            let (database, keys) = try await data.dataDirectory.open()
            let reports = ComplianceReports(database: database, customers: EncryptedCustomerStore(database: database, keys: keys))
            guard let csv else {
                try await output.emit { try await reports.consents(filter, policy: policies.policy) }
                return
            }
            let handle = try PrivateOutputFile.create(csv)
            defer { try? handle.close() }
            let started = Date()
            let rows = try await reports.exportConsents(filter) { chunk in try handle.write(contentsOf: chunk) }
            try await database.recordOperatorEvent(action: "consents.export", detail: "\(rows) consent rows exported")
            Terminal.note("wrote \(rows) consent rows to \(csv) in \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
        }
    }

    struct Requests: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Data-subject request SLA report: open, overdue, time to close.")
        @OptionGroup var data: DataOptions
        @OptionGroup var output: Output
        func run() async throws {
            let (database, keys) = try await data.dataDirectory.open()
            try await output.emit { try await ComplianceReports(database: database, customers: EncryptedCustomerStore(database: database, keys: keys)).requests() }
        }
    }
}
