import ConsentryCore
import ConsentryPolicy
import ConsentryHTTP
import ConsentryRecords
import ConsentryStore
import ConsentryUseCases
import Foundation
import Hummingbird

extension ConsoleController {
    /// The queue, soonest due first, with what is overdue or due within a week marked (in
    /// words as well as colour), and the charts of the last twelve weeks.
    @Sendable func queue(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        let signedIn = try await require(request, [.officer])
        let query = request.uri.queryParameters
        let status = query["status"].flatMap { DataSubjectRequest.Status(rawValue: String($0)) }
        let type = query["type"].flatMap { DataSubjectRequest.RequestType(rawValue: String($0)) }
        let openOnly = query["open"] != "false"
        let now = self.now()
        let page = max(1, Int(query["page"].map(String.init) ?? "1") ?? 1)
        // Open requests are what the queue is for; closed ones by their status filter.
        let (total, items) = try await requests.list(status: status, type: type, overdueAt: nil, offset: 0, limit: 10_000)
        let shown = items.filter { !openOnly || status != nil || $0.status.isOpen }
        let slice = shown.dropFirst((page - 1) * Self.pageSize).prefix(Self.pageSize)
        let rows: [[String: Any]] = slice.map { item in
            let days = Int((item.dueAt.timeIntervalSince(now) / 86_400).rounded(.down))
            var row: [String: Any] = [
                "id": item.id, "short": String(item.id.prefix(8)), "type": item.type.rawValue, "status": item.status.rawValue.replacingOccurrences(of: "_", with: " "),
                "received": Self.date(item.receivedAt), "due": Self.date(item.dueAt), "customer": item.customerID, "channel": item.channel,
            ]
            if item.isOverdue(at: now) {
                row["overdue"] = true
                row["flag"] = "overdue by \(-days) day\(-days == 1 ? "" : "s")"
            } else if item.status.isOpen && days <= 7 {
                row["due_soon"] = true
                row["flag"] = "due in \(days) day\(days == 1 ? "" : "s")"
            }
            return row
        }
        var values = common(signedIn, page: "requests", request: request)
        values.merge([
            "rows": rows, "total": shown.count, "all_total": total, "open_only": openOnly && status == nil,
            "statuses": DataSubjectRequest.Status.allCases.map { ["id": $0.rawValue, "selected": $0 == status] },
            "types": DataSubjectRequest.RequestType.allCases.map { ["id": $0.rawValue, "selected": $0 == type] },
            "overdue_count": items.filter { $0.isOverdue(at: now) }.count,
            "due_soon_count": items.filter { !$0.isOverdue(at: now) && $0.status.isOpen && $0.dueAt.timeIntervalSince(now) <= 7 * 86_400 }.count,
            "charts": RequestCharts(requests: items, now: now).charts,
        ]) { $1 }
        if page > 1 { values["previous"] = "/console/requests?page=\(page - 1)" }
        if page * Self.pageSize < shown.count { values["next"] = "/console/requests?page=\(page + 1)" }
        return self.page("console-requests", values)
    }

    /// An officer files a request received by letter, email or phone.
    @Sendable func file(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        let signedIn = try await require(request, [.officer])
        let form = try await form(request, signedIn)
        guard let type = DataSubjectRequest.RequestType(rawValue: try form.require("type")) else {
            throw WebPageError.text(.badRequest, "Choose the type of request.")
        }
        let channel = try form.require("channel")
        guard (1...32).contains(channel.count), channel.allSatisfy({ $0.isLetter || $0 == "_" }) else {
            throw WebPageError.text(.badRequest, "The channel is a word such as letter, email or call_centre.")
        }
        let (stored, duplicate) = try await requestFiling.file(
            customerID: try form.require("customer"), type: type, purpose: form["purpose"].flatMap { $0.isEmpty ? nil : $0 }, fields: [],
            channel: channel, filedBy: .officer, filedByID: signedIn.principal.id, identityVerified: form["identity_verified"] == "true",
            actor: AuditActor(.officer, signedIn.principal.id), requestID: context.requestID)
        return Response(status: .seeOther, headers: [.location: "/console/requests/\(stored.id)?done=\(duplicate ? "duplicate" : "filed")"])
    }

    /// A request: its facts, the actions the workflow allows from here, and for an erasure
    /// what was kept under legal hold and which modules acknowledged.
    @Sendable func requestPage(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        let signedIn = try await require(request, [.officer])
        let item = try await stored(context)
        let now = self.now()
        var facts: [[String: String]] = [
            ["name": "Type", "value": item.type.rawValue], ["name": "Status", "value": item.status.rawValue],
            ["name": "Customer", "value": item.customerID], ["name": "Received", "value": Self.dateTime(item.receivedAt)],
            ["name": "Due", "value": Self.dateTime(item.dueAt) + (item.isOverdue(at: now) ? " (overdue)" : "")],
            ["name": "Channel", "value": item.channel], ["name": "Filed by", "value": item.filedBy.rawValue],
            ["name": "Jurisdiction", "value": policies.policy.jurisdictions[item.jurisdiction]?.law ?? item.jurisdiction],
            ["name": "Deadline", "value": item.deadline.period.description + (item.deadline.extensionLimit.map { ", extendable by \($0)" } ?? ", not extendable")],
        ]
        if let purpose = item.purpose { facts.append(["name": "Purpose", "value": purpose]) }
        if item.extendedBy != nil {
            facts.append(["name": "Extended", "value": "\(item.extendedBy?.description ?? "\(item.extendedByMonths) month(s)"): \(item.extensionReason ?? "")"])
        }
        if let officer = item.handledBy { facts.append(["name": "Handled by", "value": officer]) }
        if let closed = item.closedAt { facts.append(["name": "Closed", "value": Self.dateTime(closed)]) }
        if let reason = item.closingReason { facts.append(["name": "Closing reason", "value": reason]) }
        var values = common(signedIn, page: "requests", request: request)
        values.merge([
            "request": ["id": item.id, "short": String(item.id.prefix(8)), "customer": item.customerID], "facts": facts,
            "open": item.status.isOpen,
            "moves": item.status.next.filter { $0 != .rejected }.map { ["status": $0.rawValue, "label": $0.rawValue.replacingOccurrences(of: "_", with: " ")] },
            "can_reject": item.status.next.contains(.rejected),
            "can_extend": !item.extensionChoices.isEmpty,
            "jurisdiction_law": policies.policy.jurisdictions[item.jurisdiction]?.law ?? item.jurisdiction,
            "extend_options": item.extensionChoices.map { choice -> [String: Any] in
                choice.map { ["months": String($0), "label": "\($0) month(s)"] } ?? ["months": "", "label": item.deadline.extensionLimit?.description ?? ""]
            },
            "can_erase": item.type == .erasure && item.status == .inProgress,
            "is_erasure": item.type == .erasure,
        ]) { $1 }
        if let eventID = item.erasureEventID {
            let acknowledged = Dictionary(uniqueKeysWithValues: try await eventHub.acknowledgements(eventID: eventID).map { ($0.moduleID, $0.at) })
            values["modules"] = try await eventHub.recipients(eventID: eventID).map { module in
                ["module": module, "acknowledged": acknowledged[module].map { Self.dateTime($0) } ?? "not yet"]
            }
            values["erasure_event"] = eventID
            if let tombstone = try await eraser.tombstone(customerID: item.customerID) {
                values["erased_fields"] = tombstone.erasedFields.joined(separator: ", ")
                values["held"] = tombstone.held.map { hold in
                    ["field": hold.field, "category": hold.category, "purposes": hold.purposes.joined(separator: ", "), "until": Self.date(hold.until)]
                }
            }
        }
        return page("console-request", values)
    }

    @Sendable func changeStatus(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        let signedIn = try await require(request, [.officer])
        let form = try await form(request, signedIn)
        guard let status = DataSubjectRequest.Status(rawValue: try form.require("status")) else {
            throw WebPageError.text(.badRequest, "Unknown status.")
        }
        let id = try context.parameters.require("id")
        _ = try await workflow.changeStatus(
            id: id, to: status, reason: form["reason"].flatMap { $0.isEmpty ? nil : $0 }, officer: signedIn.principal.id,
            requestID: context.requestID, now: now())
        return Response(status: .seeOther, headers: [.location: "/console/requests/\(id)?done=status"])
    }

    @Sendable func extend(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        let signedIn = try await require(request, [.officer])
        let form = try await form(request, signedIn)
        let choice = try form.require("months")
        let months = choice.isEmpty ? nil : Int(choice)
        guard choice.isEmpty || months != nil else { throw WebPageError.text(.badRequest, "Choose how long to extend by.") }
        let id = try context.parameters.require("id")
        _ = try await workflow.extend(id: id, months: months, reason: form["reason"] ?? "", officer: signedIn.principal.id, requestID: context.requestID)
        return Response(status: .seeOther, headers: [.location: "/console/requests/\(id)?done=extended"])
    }

    @Sendable func erase(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        let signedIn = try await require(request, [.officer])
        _ = try await form(request, signedIn)
        let id = try context.parameters.require("id")
        _ = try await workflow.carryOutErasure(id: id, officer: signedIn.principal.id, requestID: context.requestID, now: now())
        return Response(status: .seeOther, headers: [.location: "/console/requests/\(id)?done=erased"])
    }

    private func stored(_ context: ConsentryRequestContext) async throws -> DataSubjectRequest {
        guard let item = try await requests.request(id: try context.parameters.require("id")) else {
            throw WebPageError.text(.notFound, "No request has this id.")
        }
        return item
    }
}
