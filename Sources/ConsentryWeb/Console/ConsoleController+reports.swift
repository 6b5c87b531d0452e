import ConsentryCore
import ConsentryHTTP
import ConsentryPolicy
import ConsentryRecords
import ConsentryStore
import ConsentryUseCases
import Foundation
import Hummingbird
import NIOCore

extension ConsoleController {
    /// The reports officers give customers and regulators, and consent over time.
    @Sendable func reportsPage(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        let signedIn = try await require(request, [.officer])
        let policy = policies.policy
        var values = common(signedIn, page: "reports", request: request)
        values.merge([
            "purposes": policy.purposes.values.sorted { $0.id < $1.id }.map { ["id": $0.id] },
            "charts": ConsentCharts(activity: try await reports.consentActivity(), policy: policy, now: now()).charts,
        ]) { $1 }
        return page("console-reports", values)
    }

    /// A report in the page (`format=page`, the default) or as a download (`html`, `csv`,
    /// `json`). Reports about one customer (`access`, `erasure`) are asked for by POST, so
    /// that the customer id stays out of URLs and logs; each is audited by the use case.
    @Sendable func report(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        let signedIn = try await require(request, [.officer])
        let kind = try context.parameters.require("kind")
        let actor = AuditActor(.officer, signedIn.principal.id)
        let document: ReportDocument
        let format: String
        var customer: String?
        switch (kind, request.method) {
        case ("access", .post), ("erasure", .post):
            let form = try await form(request, signedIn)
            let id = try form.require("customer")
            customer = id
            format = form["format"] ?? "page"
            document = kind == "access"
                ? try await reporting.access(customerID: id, by: actor, requestID: context.requestID)
                : try await reporting.erasure(customerID: id, by: actor, requestID: context.requestID)
        case ("record-of-processing", .get):
            format = request.uri.queryParameters["format"].map(String.init) ?? "page"
            document = reporting.recordOfProcessing()
        case ("requests", .get):
            format = request.uri.queryParameters["format"].map(String.init) ?? "page"
            document = try await reporting.requests()
        case ("consents", .get):
            let query = request.uri.queryParameters
            format = query["format"].map(String.init) ?? "page"
            let filter = ConsentReportFilter(
                purpose: query["purpose"].flatMap { $0.isEmpty ? nil : String($0) }, status: query["status"].flatMap { ConsentStatus(rawValue: String($0)) },
                channel: query["channel"].flatMap { ConsentEvent.Channel(rawValue: String($0)) },
                from: query["from"].flatMap { ISODate.parse(String($0)) }, to: query["to"].flatMap { ISODate.parse(String($0)) })
            document = try await reporting.consents(filter)
        default:
            throw WebPageError.text(.notFound, "No such report; see the reports page.")
        }
        switch format {
        case "page": break
        case "html": return download(document.html, type: "text/html; charset=utf-8", name: "\(document.kind).html")
        case "csv": return download(document.csv, type: "text/csv; charset=utf-8", name: "\(document.kind).csv")
        case "json": return download(String(decoding: document.json.bytes, as: UTF8.self), type: "application/json", name: "\(document.kind).json")
        default: throw WebPageError.text(.badRequest, "format must be page, html, csv or json")
        }
        var values = common(signedIn, page: "reports", request: request)
        values.merge([
            "title": document.title, "generated": Self.dateTime(document.generatedAt), "kind": kind,
            "sections": document.sections.map { section -> [String: Any] in
                var item: [String: Any] = ["title": section.title]
                if let note = section.note { item["note"] = note }
                switch section.content {
                case .facts(let facts):
                    item["facts"] = facts.map { ["name": $0.0, "value": $0.1] }
                    item["is_facts"] = true
                case .table(let columns, let rows):
                    item["columns"] = columns
                    item["rows"] = rows.map { ["cells": $0] }
                    item["no_rows"] = rows.isEmpty
                    item["is_table"] = true
                }
                return item
            },
            "by_post": request.method == .post, "query": request.uri.query ?? "",
        ]) { $1 }
        if let customer { values["customer"] = customer }
        return page("console-report", values)
    }

    private func download(_ text: String, type: String, name: String) -> Response {
        Response(
            status: .ok, headers: [.contentType: type, .contentDisposition: "attachment; filename=\"\(name)\""],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// Audit search by customer, module, purpose and dates, newest first.
    @Sendable func auditPage(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        let signedIn = try await require(request, [.officer])
        let query = request.uri.queryParameters
        let page = max(1, Int(query["page"].map(String.init) ?? "1") ?? 1)
        let text = { (name: String) -> String? in query[Substring(name)].map(String.init).flatMap { $0.isEmpty ? nil : $0 } }
        let filter = AuditReader.Filter(
            customerID: text("customer"), actorKind: text("module") != nil ? .module : nil, actorID: text("module"), purpose: text("purpose"),
            from: text("from").flatMap { ISODate.parse($0) }, to: text("to").flatMap { ISODate.parse($0) }.map { $0.addingTimeInterval(86_400) })
        let (total, entries) = try await AuditReader(database: database).entries(filter, offset: (page - 1) * Self.pageSize, limit: Self.pageSize)
        let rows: [[String: String]] = entries.map { entry in
            [
                "seq": String(entry.seq), "at": entry.occurredAt, "actor": entry.actor.description, "action": entry.action, "outcome": entry.outcome,
                "customer": entry.customerID ?? "", "purpose": entry.purpose ?? "", "fields": entry.fields.joined(separator: ", "),
                "reasons": entry.reasons.joined(separator: ", "),
            ]
        }
        var values = common(signedIn, page: "audit", request: request)
        values["rows"] = rows
        values["total"] = total
        for name in ["customer", "module", "purpose", "from", "to"] { values[name] = text(name) ?? "" }
        let keep = ["customer", "module", "purpose", "from", "to"].compactMap { name in text(name).map { (name, $0) } }
        if page > 1 { values["previous"] = "/console/audit?" + OpenIDSignIn.formEncoded(keep + [("page", String(page - 1))]) }
        if page * Self.pageSize < total { values["next"] = "/console/audit?" + OpenIDSignIn.formEncoded(keep + [("page", String(page + 1))]) }
        return self.page("console-audit", values)
    }

    /// Verifies the whole chain and its signed checkpoints now.
    @Sendable func verifyAudit(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        let signedIn = try await require(request, [.officer, .operator])
        _ = try await form(request, signedIn)
        let report = try await AuditVerifier(database: database, keys: keys).verify()
        var values = common(signedIn, page: "audit", request: request)
        values.merge([
            "verified": true, "intact": report.isIntact, "entries": String(report.entries), "checkpoints": report.checkpoints,
            "head": "\(report.headSeq):\(report.headHash)", "problem": report.problem?.description ?? "",
        ]) { $1 }
        return page("console-verify", values)
    }

    /// Event delivery health per subscription, and the dead letters.
    @Sendable func eventsPage(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        let signedIn = try await require(request, [.officer, .operator])
        let health = try await eventHub.health()
        let (deadTotal, dead) = try await eventHub.deliveries(status: .dead, subscriptionID: nil, offset: 0, limit: 50)
        let subscriptions: [[String: Any]] = health.map { item in
            [
                "id": item.subscription.id, "module": item.subscription.moduleID, "callback": item.subscription.callback,
                "pending": item.pending, "delivered": item.delivered, "dead": item.dead, "acknowledged": item.acknowledged,
                "oldest": item.oldestPendingSince.map { Self.dateTime($0) } ?? "", "last": item.lastResult ?? "", "has_dead": item.dead > 0,
            ]
        }
        let letters: [[String: String]] = dead.map { delivery in
            [
                "event": delivery.eventID, "type": delivery.eventType, "module": delivery.moduleID, "attempts": String(delivery.attempts),
                "last": delivery.lastResult ?? "", "at": delivery.lastAttemptAt.map { Self.dateTime($0) } ?? "",
            ]
        }
        var values = common(signedIn, page: "events", request: request)
        values["subscriptions"] = subscriptions
        values["dead"] = letters
        values["dead_total"] = deadTotal
        return page("console-events", values)
    }

    @Sendable func requeue(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        let signedIn = try await require(request, [.operator])
        let form = try await form(request, signedIn)
        _ = try await eventHub.requeueDead(
            subscriptionID: form["subscription"].flatMap { $0.isEmpty ? nil : $0 }, outbox: outbox, audit: auditLog,
            actor: AuditActor(.operator, signedIn.principal.id), policyVersion: policies.policy.version, requestID: context.requestID)
        return Response(status: .seeOther, headers: [.location: "/console/events?done=requeued"])
    }
}
