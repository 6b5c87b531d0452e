import ArgumentParser
import ConsentryCore
import ConsentryPolicy
import ConsentryStore
import ConsentryUseCases
import Foundation
import ConsentryRecords

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
    @Option(help: "The data-subject request (in progress) this carries out: it then moves on as through /compliance.") var request: String?
    @Flag(help: "Four-eyes: refuse if you verified the request's identity yourself.") var fourEyes = false

    func run() async throws {
        let policies = try policy.load()
        let directory = data.dataDirectory
        let (database, keys) = try await directory.open()
        let audit = AuditLog(database: database, keys: keys)
        let journal = ChangeJournal(audit: audit, outbox: EventOutbox(database: database), policy: { policies.policy })
        let eraser = CustomerEraser(database: database, keys: keys, journal: journal, ledger: ErasureLedger(dataDirectory: directory))
        let tombstone: ErasureTombstone
        let erasedNow: Bool
        if let request {
            // The same use case as POST /compliance/v1/requests/{id}/erasure: checks, erasure, request state.
            let workflow = RequestWorkflow(
                requests: DataSubjectRequestStore(database: database), journal: journal, eraser: eraser, events: EventHub(database: database),
                policies: policies, fourEyes: fourEyes)
            guard try await workflow.request(id: request).customerID == customer else {
                throw CommandFailure(message: "request \(request) is for another customer", exitCode: CommandFailure.dataError)
            }
            let (stored, erased) = try await workflow.carryOutErasure(id: request, officer: OperatorIdentity.current, actorKind: .operator, requestID: "cli")
            (tombstone, erasedNow) = (erased, true)
            print("request \(request) is now \(stored.status.rawValue)")
        } else {
            let result = try await eraser.erase(
                customerID: customer, requestID: nil, actor: AuditActor(.operator, OperatorIdentity.current), policy: policies.policy, correlationID: nil)
            (tombstone, erasedNow) = (result.tombstone, result.erasedNow)
        }
        print(erasedNow ? "erased \(customer) at \(ISOTimestamp.format(tombstone.erasedAt))" : "\(customer) was already erased at \(ISOTimestamp.format(tombstone.erasedAt))")
        print("  destroyed: the data key and \(tombstone.erasedFields.joined(separator: ", "))")
        for hold in tombstone.held {
            print("  kept: \(hold.field) (\(hold.category)) for \(hold.purposes.joined(separator: ", ")) until \(ISOTimestamp.format(hold.until))")
        }
    }
}
