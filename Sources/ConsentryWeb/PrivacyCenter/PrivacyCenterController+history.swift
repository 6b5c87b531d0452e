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
    /// Who read my data: the module disclosures of the audit trail, newest first, filtered by
    /// module, purpose and dates, a page at a time, with a timeline of the selection.
    @Sendable func accessPage(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        let signedIn = try await requireCustomer(request)
        let format = WebFormat(WebLanguage.of(request))
        let policy = policies.policy
        let query = request.uri.queryParameters
        let module = query["module"].map(String.init).flatMap { policy.modules[$0] != nil ? $0 : nil }
        let purpose = query["purpose"].map(String.init).flatMap { policy.purposes[$0] != nil ? $0 : nil }
        let from = query["from"].flatMap { ISODate.parse(String($0)) }
        let to = query["to"].flatMap { ISODate.parse(String($0)) }.map { $0.addingTimeInterval(86_400) }
        let page = max(1, Int(query["page"].map(String.init) ?? "1") ?? 1)
        let filter = AuditReader.Filter(
            customerID: signedIn.1.id, actorKind: .module, actorID: module, purpose: purpose, from: from, to: to, disclosuresOnly: true)
        let reader = AuditReader(database: database)
        let (total, entries) = try await reader.entries(filter, offset: (page - 1) * Self.pageSize, limit: Self.pageSize)
        let rows: [[String: Any]] = entries.map { entry in
            let (plain, masked) = entry.disclosedCategories(policy: policy)
            return [
                "when": format.dateTime(iso: entry.occurredAt), "module": entry.actor.id, "proof": "/privacy/access/\(entry.seq)/proof",
                "application": policy.modules[entry.actor.id]?.applicationType ?? "",
                "purpose": entry.purpose.flatMap { policy.purposes[$0]?.name.text(for: format.language.rawValue) } ?? entry.purpose ?? "",
                "categories": plain.map { policy.categories[$0]?.description ?? $0 }.joined(separator: "; "),
                "masked": masked.map { policy.categories[$0]?.description ?? $0 }.joined(separator: "; "),
            ]
        }
        // The timeline: the most recent 500 reads of the selection.
        let (_, recent) = try await reader.entries(filter, offset: 0, limit: 500)
        var chart = ""
        if !recent.isEmpty {
            let points = recent.compactMap { entry -> (lane: String, at: Date, label: String)? in
                guard let at = ISODate.parseDateOrDateTime(entry.occurredAt) else { return nil }
                let purposeName = entry.purpose.flatMap { policy.purposes[$0]?.name.text(for: format.language.rawValue) } ?? ""
                return (entry.actor.id, at, "\(entry.actor.id), \(purposeName), \(format.dateTime(at))")
            }
            let lanes = Array(Set(points.map(\.lane))).sorted()
            let start = from ?? points.map(\.at).min() ?? Date()
            let end = to ?? Date()
            chart = SVGChart.timeline(
                title: format.text("timeline_title"), description: "\(recent.count) \(format.text("entries"))", lanes: lanes, events: points,
                from: start, to: max(end, start.addingTimeInterval(3600)))
        }
        var keep: [(String, String)] = []
        if let module { keep.append(("module", module)) }
        if let purpose { keep.append(("purpose", purpose)) }
        if let text = query["from"] { keep.append(("from", String(text))) }
        if let text = query["to"] { keep.append(("to", String(text))) }
        let link = { (page: Int) in "/privacy/access?" + OpenIDSignIn.formEncoded(keep + [("page", String(page))]) }
        let modules: [[String: Any]] = policy.modules.keys.sorted().map { ["id": $0, "selected": $0 == module] }
        let purposes: [[String: Any]] = policy.purposes.values.sorted { $0.id < $1.id }.map {
            ["id": $0.id, "name": $0.name.text(for: format.language.rawValue), "selected": $0.id == purpose]
        }
        var values = common(signedIn, page: "access", request: request)
        values["rows"] = rows
        values["chart"] = chart
        values["has_chart"] = !chart.isEmpty
        values["total"] = total
        values["first"] = total == 0 ? 0 : (page - 1) * Self.pageSize + 1
        values["last"] = (page - 1) * Self.pageSize + entries.count
        values["modules"] = modules
        values["purposes"] = purposes
        values["from"] = query["from"].map(String.init) ?? ""
        values["to"] = query["to"].map(String.init) ?? ""
        if page > 1 { values["previous"] = link(page - 1) }
        if page * Self.pageSize < total { values["next"] = link(page + 1) }
        return renderer.page("privacy-access", values, language: format.language)
    }

    /// The proof that one entry of who read my data is in the public transparency log, as a
    /// file the customer keeps and checks with `scripts/transparency-verify.py`.
    @Sendable func accessProof(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        let (_, signedIn) = try await requireCustomer(request)
        guard let seq = context.parameters.get("entry").flatMap({ Int64($0) }),
            let document = try await TransparencyDocuments.inclusion(seq: seq, customerID: signedIn.id, log: transparency)
        else { throw WebPageError.text(.notFound, "No entry of your access history has this number.") }
        return Response(
            status: .ok,
            headers: [.contentType: "application/json", .contentDisposition: "attachment; filename=\"access-proof-\(seq).json\""],
            body: .init(byteBuffer: ByteBuffer(bytes: document.indented.utf8)))
    }

    @Sendable func requestsPage(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        let signedIn = try await requireCustomer(request)
        let format = WebFormat(WebLanguage.of(request))
        let stored = try await requests.requests(customerID: signedIn.1.id)
        let granted = policies.policy.jurisdiction(for: signedIn.1.residence)
        let rows: [[String: Any]] = stored.map { item in
            [
                "type": format.text("request_type_\(item.type.rawValue)"), "status": format.text("request_status_\(item.status.rawValue)"),
                "received": format.date(item.receivedAt), "due": format.date(item.dueAt), "open": item.status.isOpen,
                "completed": item.status == .completed,
            ]
        }
        return renderer.page(
            "privacy-requests",
            common(signedIn, page: "requests", request: request).merging([
                "requests": rows,
                // Only the rights the customer's jurisdiction grants.
                "types": DataSubjectRequest.RequestType.allCases.filter { granted.rights[$0] != nil }.map {
                    ["id": $0.rawValue, "name": format.text("request_type_\($0.rawValue)"), "erasure": $0 == .erasure] as [String: Any]
                },
                "purposes": policies.policy.purposes.values.filter { $0.legalBasis.allowsObjection || $0.automatedDecision != nil }
                    .sorted { $0.id < $1.id }.map { ["id": $0.id, "name": $0.name.text(for: format.language.rawValue)] },
                "jurisdiction_law": granted.law,
            ]) { $1 }, language: format.language)
    }

    @Sendable func fileRequest(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        let (token, signedIn) = try await requireCustomer(request)
        let form = try await form(request, token: token)
        guard let type = DataSubjectRequest.RequestType(rawValue: try form.require("type")) else {
            throw WebPageError.text(.badRequest, "Choose what you ask for.")
        }
        let purpose = form["purpose"].flatMap { $0.isEmpty ? nil : $0 }
        let (_, duplicate) = try await requestFiling.file(
            customerID: signedIn.id, type: type, purpose: type == .objection || type == .humanReview ? purpose : nil, fields: [], channel: "web", filedBy: .customer,
            filedByID: nil, identityVerified: false, actor: AuditActor(.customer, signedIn.id), requestID: context.requestID)
        return Response(status: .seeOther, headers: [.location: "/privacy/requests?done=\(duplicate ? "request_duplicate" : "request")"])
    }

    @Sendable func dependantsPage(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        let signedIn = try await requireCustomer(request)
        let guardian = try await signedIn.1.customer()
        let format = WebFormat(WebLanguage.of(request))
        var items: [[String: Any]] = []
        for dependant in try await guardianship.dependants(of: guardian, requestID: context.requestID) {
            try await guardianship.recordConsentsRead(of: dependant, by: guardian, requestID: context.requestID)
            let (_, standings) = try await selfManagement.standings(of: dependant)
            var item: [String: Any] = [
                "id": dependant.id,
                "purposes": standings.filter { $0.purpose.legalBasis == .consent }.map { standing in
                    purposeRow(standing.purpose, standing.standing, format: format).merging(["dependant": dependant.id]) { $1 }
                },
            ]
            if case .individual(let person) = dependant.profile.engagedParty {
                item["name"] = person.givenName
                if let birth = person.birthDate.flatMap({ ISODate.parse($0) }) { item["born"] = format.date(birth) }
            }
            items.append(item)
        }
        return renderer.page(
            "privacy-dependants", common(signedIn, page: "dependants", request: request).merging(["dependants": items]) { $1 },
            language: format.language)
    }

    @Sendable func changeDependantConsent(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        let (token, signedIn) = try await requireCustomer(request)
        let form = try await form(request, token: token)
        let guardian = try await signedIn.customer()
        let dependant = try await guardianship.dependant(id: try form.require("dependant"), of: guardian)
        let purpose = try form.require("purpose")
        guard let status = ConsentStatus(rawValue: try form.require("status")) else {
            throw WebPageError.text(.badRequest, "status must be given, refused or withdrawn")
        }
        let recorded = try await consentChange.record(
            customer: dependant, purposeID: purpose, status: status, channel: .web, expressedBy: .guardian, guardianID: guardian.id,
            actorID: guardian.id, actor: AuditActor(.customer, guardian.id), requestID: context.requestID)
        let done = status == .given ? "consent_given" : "consent_withdrawn"
        return Response(status: .seeOther, headers: [.location: "/privacy/dependants?done=\(done)&receipt=\(recorded.receiptID)"])
    }
}
