import ConsentryCore
import ConsentryStore
import Foundation
import HTTPTypes
import ConsentryPolicy
import ConsentryRecords
import ConsentryUseCases
import Hummingbird

/// Honours a Global Privacy Control signal (`Sec-GPC: 1`) on a signed-in customer's request:
/// where the customer's jurisdiction says the signal is an opt-out (CPRA sale and sharing),
/// it is recorded before the route runs, with channel `gpc`, a receipt and an event, so the
/// route already answers with the customer opted out. Elsewhere (GDPR) nothing happens and
/// nothing is decrypted: the jurisdiction is read from the customer row's region code.
struct GlobalPrivacyControlMiddleware: RouterMiddleware {
    typealias Context = ConsentryRequestContext
    let optOuts: OptOutRights
    let policies: PolicyRegistry

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let signedIn = context.signedIn, OptOutRights.signalled(request.headers[values: .secGPC]),
            !policies.policy.jurisdiction(for: signedIn.residence).gpcOptOuts.isEmpty
        else { return try await next(request, context) }
        let applied = try await optOuts.honourGlobalPrivacyControl(
            customerID: signedIn.id, residence: signedIn.residence, subject: { try await signedIn.consentSubject() },
            actor: AuditActor(.customer, signedIn.id), requestID: context.requestID)
        var response = try await next(request, context)
        if !applied.isEmpty { response.headers[.gpcApplied] = applied.map(\.rawValue).joined(separator: ", ") }
        return response
    }
}

extension HTTPField.Name {
    /// Global Privacy Control (https://privacycg.github.io/gpc-spec/).
    static let secGPC = HTTPField.Name("Sec-GPC")!
    /// Consentry's answer: the opt-outs a GPC signal just exercised.
    static let gpcApplied = HTTPField.Name("Consentry-GPC-Applied")!
}
