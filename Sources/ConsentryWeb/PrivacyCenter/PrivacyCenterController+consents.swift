import ConsentryCore
import ConsentryHTTP
import ConsentryPolicy
import ConsentryRecords
import ConsentryStore
import ConsentryUseCases
import Foundation
import Hummingbird
import NIOCore

extension PrivacyCenterController {
    @Sendable func consentsPage(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        let signedIn = try await requireCustomer(request)
        let customer = try await signedIn.1.customer()
        let format = WebFormat(WebLanguage.of(request))
        let (restricted, standings) = try await selfManagement.standings(of: customer)
        let rows = standings.map { purposeRow($0.purpose, $0.standing, format: format) }
        let (jurisdiction, rights) = try await optOuts.standings(customerID: customer.id)
        let optOutRows: [[String: Any]] = rights.map { standing in
            var row: [String: Any] = [
                "right": standing.right.rawValue, "title": standing.right.title.text(for: format.language.rawValue), "opted_out": standing.optedOut,
                "purposes": standing.purposes.map { $0.name.text(for: format.language.rawValue) }.joined(separator: ", "), "gpc": standing.honoursGPC,
                "by_gpc": standing.channel == .gpc,
            ]
            if let since = standing.since { row["since"] = format.date(since) }
            return row
        }
        let receipts = try await consents.receipts(customerID: customer.id).filter { !$0.jws.isEmpty }.prefix(20).map { receipt in
            [
                "purpose": receipt.purpose.flatMap { policies.policy.purposes[$0]?.name.text(for: format.language.rawValue) } ?? "",
                "issued": format.dateTime(receipt.issuedAt), "href": "/privacy/receipts/\(receipt.id)",
            ]
        }
        return renderer.page(
            "privacy-consents",
            common(signedIn, page: "consents", request: request).merging([
                "consent_purposes": rows.filter { $0["consent"] as? Bool == true },
                "objection_purposes": rows.filter { $0["objectable"] as? Bool == true },
                "other_purposes": rows.filter { $0["consent"] as? Bool != true && $0["objectable"] as? Bool != true },
                "restricted": restricted, "receipts": Array(receipts),
                "jurisdiction_name": jurisdiction.name, "jurisdiction_law": jurisdiction.law, "opt_outs": optOutRows,
            ]) { $1 }, language: format.language)
    }

    /// A purpose as its row shows it: name, description, basis, retention, where the customer
    /// stands, and which switch it has.
    func purposeRow(_ purpose: Purpose, _ standing: ConsentStanding, format: WebFormat) -> [String: Any] {
        var row: [String: Any] = [
            "id": purpose.id, "name": purpose.name.text(for: format.language.rawValue),
            "description": purpose.description.text(for: format.language.rawValue), "basis": format.legalBasis(purpose.legalBasis),
            "retention": format.retention(purpose.retention), "status": format.text("status_\(standing.status.rawValue)"),
            "consent": purpose.legalBasis == .consent, "objectable": purpose.legalBasis.allowsObjection,
            "given": standing.status == .given, "objecting": standing.objection == true, "reconsent": standing.reconsentNeeded,
        ]
        if let since = standing.since { row["since"] = format.date(since) }
        if let expiry = standing.expiresAt { row["expires"] = format.date(expiry) }
        if let automated = purpose.automatedDecision {
            row["automated_logic"] = automated.logic.text(for: format.language.rawValue)
            row["automated_significance"] = automated.significance.text(for: format.language.rawValue)
        }
        if let right = standing.optOut { row["opt_out"] = right.title.text(for: format.language.rawValue) }
        return row
    }

    @Sendable func changeConsent(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        let (token, signedIn) = try await requireCustomer(request)
        let form = try await form(request, token: token)
        let purpose = try form.require("purpose")
        guard let status = ConsentStatus(rawValue: try form.require("status")) else {
            throw WebPageError.text(.badRequest, "status must be given, refused or withdrawn")
        }
        let recorded = try await consentChange.record(
            subject: try await signedIn.consentSubject(), purposeID: purpose, status: status, channel: .web, expressedBy: .customer,
            actorID: nil, actor: AuditActor(.customer, signedIn.id), requestID: context.requestID)
        let done = status == .given ? "consent_given" : "consent_withdrawn"
        return Response(status: .seeOther, headers: [.location: "/privacy/consents?done=\(done)&receipt=\(recorded.receiptID)#purpose-\(purpose)"])
    }

    /// Exercises or withdraws an opt-out right of the customer's jurisdiction, receipted.
    @Sendable func optOut(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        let (token, signedIn) = try await requireCustomer(request)
        let form = try await form(request, token: token)
        let right = try form.require("right")
        let optedOut = try form.require("opted_out") == "true"
        let recorded = try await optOuts.exercise(
            subject: try await signedIn.consentSubject(), right: right, optedOut: optedOut, channel: .web, expressedBy: .customer, actorID: nil,
            actor: AuditActor(.customer, signedIn.id), requestID: context.requestID)
        return Response(
            status: .seeOther,
            headers: [.location: "/privacy/consents?done=\(optedOut ? "opted_out" : "opted_in")&receipt=\(recorded.receiptID)#opt-outs"])
    }

    @Sendable func objection(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        let (token, signedIn) = try await requireCustomer(request)
        let form = try await form(request, token: token)
        let objecting = try form.require("objecting") == "true"
        let purpose = try form.require("purpose")
        try await selfManagement.object(
            customer: try await signedIn.customer(), purposeID: purpose, objecting: objecting, channel: .web, requestID: context.requestID)
        return Response(status: .seeOther, headers: [.location: "/privacy/consents?done=\(objecting ? "objection_raised" : "objection_withdrawn")#purpose-\(purpose)"])
    }

    @Sendable func restriction(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        let (token, signedIn) = try await requireCustomer(request)
        let form = try await form(request, token: token)
        let restricting = try form.require("restricting") == "true"
        try await selfManagement.restrict(customer: try await signedIn.customer(), restricting: restricting, channel: .web, requestID: context.requestID)
        return Response(status: .seeOther, headers: [.location: "/privacy/consents?done=\(restricting ? "restricted" : "unrestricted")#restriction"])
    }

    /// A receipt of the customer's own, or of one of their dependants; anyone else's is the same 404.
    @Sendable func receipt(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        let (_, signedIn) = try await requireCustomer(request)
        let id = try context.parameters.require("id")
        guard let (owner, receipt) = try await consents.receipt(id: id), !receipt.jws.isEmpty else {
            throw WebPageError.text(.notFound, "No receipt of yours has this id.")
        }
        if owner != signedIn.id {
            do { _ = try await guardianship.dependant(id: owner, of: try await signedIn.customer()) } catch {
                throw WebPageError.text(.notFound, "No receipt of yours has this id.")
            }
        }
        return Response(
            status: .ok,
            headers: [.contentType: "application/jose", .contentDisposition: "attachment; filename=\"consent-receipt-\(receipt.id).jws\""],
            body: .init(byteBuffer: ByteBuffer(string: receipt.jws)))
    }

    @Sendable func export(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        let (_, signedIn) = try await requireCustomer(request)
        guard let format = DataPortability.Format(rawValue: request.uri.queryParameters["format"].map(String.init) ?? "json") else {
            throw WebPageError.text(.badRequest, "format must be json or csv")
        }
        let document = try await portability.export(try await signedIn.customer(), format: format, requestID: context.requestID)
        return Response(
            status: .ok, headers: [.contentType: document.contentType, .contentDisposition: "attachment; filename=\"\(document.filename)\""],
            body: .init(byteBuffer: ByteBuffer(bytes: document.bytes)))
    }
}
