import ArgumentParser
import ConsentryCore
import ConsentryPolicy
import ConsentryStore
import Foundation

struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report", abstract: "Compliance reports as JSON, HTML or CSV (the same as GET /compliance/v1/reports/...).",
        subcommands: [RecordOfProcessing.self, Access.self, Erasure.self, Consents.self, Requests.self])

    struct Output: ParsableArguments {
        @Option(help: "json, html or csv.") var format = "json"
        @Option(help: "Write to this new file (mode 0600) instead of standard output.") var output: String?

        func emit(_ report: ReportDocument) throws {
            let text: String
            switch format {
            case "json": text = String(decoding: report.json.bytes, as: UTF8.self) + "\n"
            case "html": text = report.html
            case "csv": text = report.csv
            default: throw ValidationError("--format must be json, html or csv")
            }
            guard let output else {
                print(text, terminator: "")
                return
            }
            // Reports name customers and may hold their data: owner-only, never overwritten.
            let descriptor = open(output, O_WRONLY | O_CREAT | O_EXCL, 0o600)
            guard descriptor >= 0 else { throw ValidationError("cannot create \(output) (it must not exist)") }
            defer { close(descriptor) }
            let bytes = Array(text.utf8)
            guard write(descriptor, bytes, bytes.count) == bytes.count else { throw ValidationError("cannot write \(output)") }
            Terminal.note("\(report.title) written to \(output)")
        }
    }

    struct RecordOfProcessing: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "record-of-processing", abstract: "Record of processing activities (GDPR Art. 30) from Policies/.")
        @OptionGroup var policy: PolicyOptions
        @OptionGroup var output: Output
        func run() async throws { try output.emit(ReportDocument.recordOfProcessing(policy: try policy.load().policy, generatedAt: Date())) }
    }

    struct Access: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Access report (GDPR Art. 15) for one customer.")
        @OptionGroup var data: DataOptions
        @OptionGroup var policy: PolicyOptions
        @OptionGroup var output: Output
        @Option(help: "The customer id.") var customer: String
        func run() async throws {
            let policies = try policy.load()
            let (database, keys) = try await data.dataDirectory.open()
            let reports = ComplianceReports(database: database, customers: EncryptedCustomerStore(database: database, keys: keys))
            guard let report = try await reports.access(customerID: customer, policy: policies.policy) else {
                throw ValidationError("no customer \(customer) (an erased customer has an erasure report)")
            }
            try await AuditLog(database: database, keys: keys).record(AuditEvent(
                actor: AuditActor(.operator, OperatorIdentity.current), action: .reportAccess, customerID: customer, outcome: "succeeded",
                policyVersion: policies.policy.version))
            try output.emit(report)
        }
    }

    struct Erasure: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Erasure report for one erased customer.")
        @OptionGroup var data: DataOptions
        @OptionGroup var output: Output
        @Option(help: "The customer id.") var customer: String
        func run() async throws {
            let (database, keys) = try await data.dataDirectory.open()
            let reports = ComplianceReports(database: database, customers: EncryptedCustomerStore(database: database, keys: keys))
            guard let report = try await reports.erasure(customerID: customer, hub: EventHub(database: database)) else {
                throw ValidationError("no erasure of \(customer) is recorded")
            }
            try output.emit(report)
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
                try output.emit(try await reports.consents(filter, policy: policies.policy))
                return
            }
            let descriptor = open(csv, O_WRONLY | O_CREAT | O_EXCL, 0o600)
            guard descriptor >= 0 else { throw ValidationError("cannot create \(csv) (it must not exist)") }
            defer { close(descriptor) }
            let started = Date()
            let rows = try await reports.exportConsents(filter) { chunk in
                let written = chunk.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
                guard written == chunk.count else { throw ValidationError("cannot write \(csv)") }
            }
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
            try output.emit(try await ComplianceReports(database: database, customers: EncryptedCustomerStore(database: database, keys: keys)).requests())
        }
    }
}
