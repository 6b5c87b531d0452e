import ArgumentParser
import ConsentryCore
import ConsentryPolicy
import ConsentryStore
import Foundation

struct EraseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "erase",
        abstract: "Erase a customer cryptographically, keeping only what a legal obligation holds (GDPR Art. 17).",
        discussion: """
            Normally an officer erases through POST /compliance/v1/requests/{id}/erasure, which also tracks the \
            modules' acknowledgements. This command is for the operator, audited as such; subscribed modules are told \
            when the server next runs its deliverer.
            """)
    @OptionGroup var data: DataOptions
    @OptionGroup var policy: PolicyOptions
    @Option(help: "The customer id.") var customer: String
    @Option(help: "The data-subject request this carries out, if any.") var request: String?

    func run() async throws {
        let policies = try policy.load()
        let directory = data.dataDirectory
        let (database, keys) = try await directory.open()
        let eraser = CustomerEraser(database: database, keys: keys, ledger: ErasureLedger(dataDirectory: directory), policy: { policies.policy })
        let result: CustomerEraser.Result
        do {
            result = try await eraser.erase(
                customerID: customer, requestID: request, actor: AuditActor(.operator, OperatorIdentity.current), policy: policies.policy, correlationID: nil)
        } catch let error as StoreError where error.code == "not_found" {
            throw ValidationError("no customer \(customer)")
        }
        let tombstone = result.tombstone
        print(result.erasedNow ? "erased \(customer) at \(ISOTimestamp.format(tombstone.erasedAt))" : "\(customer) was already erased at \(ISOTimestamp.format(tombstone.erasedAt))")
        print("  destroyed: the data key and \(tombstone.erasedFields.joined(separator: ", "))")
        for hold in tombstone.held {
            print("  kept: \(hold.field) (\(hold.category)) for \(hold.purposes.joined(separator: ", ")) until \(ISOTimestamp.format(hold.until))")
        }
    }
}
