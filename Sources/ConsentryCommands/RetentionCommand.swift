import ArgumentParser
import ConsentryCore
import ConsentryPolicy
import ConsentryStore
import Foundation

struct RetentionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retention",
        abstract: "Erase customers whose data outlived every purpose (legal holds kept), and drop holds that ended.",
        discussion: "`serve` runs the same sweep every --retention-hours. With --dry-run nothing changes: the list shows what the sweep would do.")
    @OptionGroup var data: DataOptions
    @OptionGroup var policy: PolicyOptions
    @Flag(help: "Show what would be done, change nothing.") var dryRun = false

    func run() async throws {
        let policies = try policy.load()
        let directory = data.dataDirectory
        let (database, keys) = try await directory.open()
        let eraser = CustomerEraser(database: database, keys: keys, ledger: ErasureLedger(dataDirectory: directory), policy: { policies.policy })
        let sweeper = RetentionSweeper(eraser: eraser)
        var bar = ProgressBar(label: "retention")
        let actions = dryRun
            ? try await sweeper.plan(policy: policies.policy)
            : try await sweeper.run(policy: policies.policy, progress: { bar.update(done: $0, total: $1, unit: "customers") })
        if !dryRun, !actions.isEmpty {
            bar.update(done: actions.count, total: actions.count, unit: "customers", force: true)
            bar.finish()
        }
        for action in actions {
            print("\(dryRun ? "would " : "")\(action.kind == .erase ? "erase" : "drop expired holds of") \(action.customerID)")
            if !action.erasing.isEmpty { print("  destroy: \(action.erasing.joined(separator: ", "))") }
            for kept in action.keeping { print("  keep: \(kept)") }
        }
        print("\(actions.count) customer\(actions.count == 1 ? "" : "s") \(dryRun ? "due" : "done") under policy \(policies.policy.version)")
    }
}
