import ConsentryCore
import ConsentryPolicy
import ConsentryStore
import ConsentryUseCases
import Foundation
import Hummingbird
import NIOCore
import ConsentryRecords

/// A guardian acting, signed in as themselves, for the minors who name them as guardian
/// (`/self/v1/me/dependants`): list them, see and change their consents. Each change is
/// recorded as expressed by the guardian, with the guardian's customer id, and receipted.
/// A customer who is not a listed guardian, or a dependant who came of age, gets nothing.
struct DependantsController {
    let consentChange: ConsentChange
    let guardianship: Guardianship
    let selfManagement: SelfManagement

    func addRoutes(to group: RouterGroup<ConsentryRequestContext>) {
        group.get(use: list)
        group.get("{dependant}/consents", use: consents)
        group.put("{dependant}/consents/{purpose}", use: changeConsent)
    }

    @Sendable func list(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        let guardian = try await signedIn(context)
        let dependants = try await guardianship.dependants(of: guardian, requestID: context.requestID)
        return Response.json(.array(dependants.map { dependant in
            var members: [(String, JSONValue)] = [("id", .string(dependant.id)), ("href", .string("/self/v1/me/dependants/\(dependant.id)/consents"))]
            if case .individual(let person) = dependant.profile.engagedParty {
                members.append(("givenName", .string(person.givenName)))
                if let birth = person.birthDate { members.append(("birthDate", .string(birth))) }
            }
            return .object(members)
        }))
    }

    @Sendable func consents(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        let (guardian, dependant) = try await dependant(context)
        try await guardianship.recordConsentsRead(of: dependant, by: guardian, requestID: context.requestID)
        // Texts in the guardian's language: the guardian is the one reading them.
        return Response.json(try await SelfServiceController.consentsJSON(of: dependant, language: guardian.profile.preferredLanguage, selfManagement: selfManagement))
    }

    @Sendable func changeConsent(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        let (guardian, dependant) = try await dependant(context)
        let purposeID = try context.parameters.require("purpose")
        let body = try await request.body.collect(upTo: context.maxUploadSize)
        let change = try JSONDecoder().decode(SelfServiceController.ConsentChange.self, from: Data(body.readableBytesView))
        let recorded = try await consentChange.record(
            customer: dependant, purposeID: purposeID, status: change.status, channel: change.channel ?? .web, expressedBy: .guardian,
            guardianID: guardian.id, actorID: guardian.id, actor: AuditActor(.customer, guardian.id), requestID: context.requestID)
        return Response.json(.object([
            ("dependant", .string(dependant.id)), ("purpose", .string(purposeID)), ("status", .string(change.status.rawValue)),
            ("expressedBy", .string("guardian")), ("since", .string(ISOTimestamp.format(recorded.at))),
            ("noticeVersion", .string(recorded.noticeVersion)),
            ("receipt", .object([("id", .string(recorded.receiptID)), ("jws", .string(recorded.jws))])),
        ]))
    }

    /// The signed-in guardian and the dependant named in the path. Someone else's child, or
    /// no customer at all, is the same 404.
    private func dependant(_ context: ConsentryRequestContext) async throws -> (guardian: Customer, dependant: Customer) {
        let guardian = try await signedIn(context)
        return (guardian, try await guardianship.dependant(id: try context.parameters.require("dependant"), of: guardian))
    }

    private func signedIn(_ context: ConsentryRequestContext) async throws -> Customer {
        guard let customer = try await context.signedIn?.customer() else { throw ApiKeyAuthenticator.unauthorized("not signed in") }
        return customer
    }
}
