import ArgumentParser
import ConsentryStore
import Foundation

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "Check the tamper-evident audit trail.", subcommands: [Verify.self])

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Verify every entry, the hash chain and the signed checkpoints; report the first bad entry (exit 1).",
            discussion: "Keep the printed head somewhere else (a ticket, another system) and pass it back with --expect-head: then even a truncation that also removed the checkpoints is detected.")
        @OptionGroup var data: DataOptions
        @Option(help: "A head printed by an earlier run, as SEQ:HASH.") var expectHead: String?

        func run() async throws {
            var head: (Int64, String)?
            if let expectHead {
                let parts = expectHead.split(separator: ":")
                guard parts.count == 2, let seq = Int64(parts[0]), parts[1].count == 64 else { throw ValidationError("--expect-head must be SEQ:HASH") }
                head = (seq, String(parts[1]))
            }
            let (database, keys) = try await data.dataDirectory.open()
            let report = try await AuditVerifier(database: database, keys: keys).verify(expectedHead: head)
            if let problem = report.problem {
                print("audit trail NOT intact: first bad entry \(problem.seq): \(problem.kind.rawValue): \(problem.detail)")
                print("(\(report.entries) entries, \(report.checkpoints) checkpoints)")
                throw ExitCode(1)
            }
            print("audit trail intact: \(report.entries) entries, \(report.checkpoints) signed checkpoints")
            print("head \(report.headSeq):\(report.headHash)")
        }
    }
}
