import ConsentryCore
import ConsentryRecords
import ConsentryUseCases
import Foundation
import HTTPTypes
import Hummingbird

/// The guarded API's writes, in TMF's shapes: every body is translated to the customer draft
/// form (`TMFRepresentation`) and goes through the same decoder, validator and use cases.
extension GuardedCustomerController {
    /// TMF629 create: the party nested in `engagedParty` (onboarding in one call), or a
    /// reference to a party created through TMF632, which becomes a customer.
    @Sendable func create(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        let call = try await begin(request, context, operation: .create, allowedQuery: [])
        let body = try await Self.jsonBody(request, context)
        let created: Customer
        switch try TMFRepresentation.customer(body) {
        case .withParty(let draft):
            created = try await maintenance.onboard(call, draft: try TMFRepresentation.decodeDraft(draft, as: .customer))
        case .forParty(let id, let rest):
            var changes = rest
            if changes["status"] == nil { changes.set("status", .string(CustomerStatus.active.rawValue)) }
            created = try await maintenance.promote(call, id: id) { party in
                try TMFRepresentation.decodeDraft(JSONMergePatch.apply(changes, to: try TMFRepresentation.draft(of: party)), as: .customer)
            }
        }
        var response = try await readBack(created.id, call: call, request: request, partyType: nil)
        response.status = .created
        response.headers[.location] = "\(Self.customerBase)/\(created.id)"
        return response
    }

    /// TMF632 create: a party without the customer role yet (status `prospective`); TMF629's
    /// create with a reference to it makes it a customer.
    func createParty(_ request: Request, _ context: ConsentryRequestContext, type: PartyType) async throws -> Response {
        let call = try await begin(request, context, operation: .create, allowedQuery: [])
        var translated = try TMFRepresentation.party(try await Self.jsonBody(request, context), type: type)
        translated.set("status", .string(CustomerStatus.prospective.rawValue))
        let created: Customer
        do {
            created = try await maintenance.onboard(call, draft: try TMFRepresentation.decodeDraft(translated, as: .party))
        } catch let error as ValidationError {
            throw ValidationError(issues: error.issues.map { TMFRepresentation.relabel($0, for: .party) })
        }
        var response = try await readBack(created.id, call: call, request: request, partyType: type)
        response.status = .created
        response.headers[.location] = "\(Self.partyBase)/\(type.pathComponent)/\(created.id)"
        return response
    }

    /// A merge patch (RFC 7386, `application/merge-patch+json`; `application/json` means the
    /// same): members replace, objects merge, `null` removes an optional attribute. Needs
    /// `If-Match` with the ETag read (docs/tmf-conformance.md says why).
    func patch(_ request: Request, _ context: ConsentryRequestContext, partyType: PartyType?) async throws -> Response {
        let id = try context.parameters.require("id")
        let call = try await begin(request, context, operation: .update, allowedQuery: [], customerID: id)
        guard let ifMatch = request.headers[.ifMatch] else {
            throw ProblemDetails(status: .preconditionRequired, code: "if_match_required", detail: "send If-Match with the ETag of the customer you read")
        }
        let body = try await Self.jsonBody(request, context)
        let changes = if let partyType { try TMFRepresentation.party(body, type: partyType) } else { try TMFRepresentation.customerPatch(body, id: id) }
        guard let current = try await maintenance.current(call, id: id), partyType == nil || current.profile.engagedParty.type == partyType else {
            throw ProblemDetails(status: .notFound, code: "not_found", detail: "no \(partyType?.rawValue.lowercased() ?? "customer") with this id")
        }
        let resource: GuardedCustomerView.Resource = partyType == nil ? .customer : .party
        // A body that cannot make a valid customer is refused before the version is compared
        // (the store validates again when it writes).
        let draft = try TMFRepresentation.decodeDraft(JSONMergePatch.apply(changes, to: try TMFRepresentation.draft(of: current)), as: resource)
        do { try CustomerValidator().validate(draft) } catch let error as ValidationError {
            throw ValidationError(issues: error.issues.map { TMFRepresentation.relabel($0, for: resource) })
        }
        guard Self.etagMatches(ifMatch, version: current.version) else {
            throw ProblemDetails(status: .preconditionFailed, code: "version_conflict", detail: "the customer is at version \(current.version); read it again")
        }
        do {
            try await maintenance.correct(call, current: current, to: draft)
        } catch let error as UseCaseError where error.code == "version_conflict" {
            // The ETag the module sent is stale: HTTP's precondition failure, not a plain conflict.
            throw ProblemDetails(status: .preconditionFailed, code: error.code, detail: error.message)
        } catch let error as ValidationError {
            throw ValidationError(issues: error.issues.map { TMFRepresentation.relabel($0, for: resource) })
        }
        return try await readBack(id, call: call, request: request, partyType: partyType)
    }

    /// DELETE files an erasure request for the customer and answers 202 with it: erasing is
    /// the officers' workflow (identity, legal holds, deadlines), not a module's call.
    func delete(_ request: Request, _ context: ConsentryRequestContext, partyType: PartyType?) async throws -> Response {
        let id = try context.parameters.require("id")
        let call = try await begin(request, context, operation: .recordConsent, allowedQuery: [], customerID: id)
        // Filing needs only to know the customer exists (and is of the path's type): nothing is decrypted.
        guard let type = try await maintenance.partyType(of: id), partyType == nil || type == partyType else {
            try await call.audit(action: .requestFiled, outcome: "not_found", customerID: id)
            throw ProblemDetails(status: .notFound, code: "not_found", detail: "no \(partyType?.rawValue.lowercased() ?? "customer") with this id")
        }
        let (filed, duplicate) = try await requestFiling.file(
            customerID: id, type: .erasure, purpose: nil, fields: [], channel: "api", filedBy: .agent, filedByID: call.module,
            identityVerified: false, actor: AuditActor(.module, call.module), requestID: context.requestID)
        var body = SelfServiceController.requestJSON(filed, duplicate: duplicate)
        body.set("@type", .string("ErasureRequest"))
        var response = Response.json(body, status: .accepted)
        response.headers[.location] = "/compliance/v1/requests/\(filed.id)"
        return response
    }

    /// The customer (or its party) as this call may see it, after a write.
    func readBack(_ id: String, call: ModuleCall, request: Request, partyType: PartyType?) async throws -> Response {
        var view = try view(request, partyType: partyType)
        view.selection = .all
        let disclosure = try await reads.read(call, id: id, selection: .all, partyType: partyType)
        var response = Response.json(bytes: view.render(disclosure.customer, decision: disclosure.decision).bytes)
        response.headers[.eTag] = "\"\(disclosure.customer.version)\""
        return response
    }

    /// The request body as JSON; an empty or unparsable body is a malformed request.
    static func jsonBody(_ request: Request, _ context: ConsentryRequestContext) async throws -> JSONValue {
        let body = try await request.body.collect(upTo: context.maxUploadSize)
        guard let value = try? JSONValue.parse(Array(body.readableBytesView)) else {
            throw ProblemDetails(status: .badRequest, code: "malformed_body", detail: "the body is not JSON")
        }
        return value
    }
}
