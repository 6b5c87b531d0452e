import ConsentryCore
import Foundation
import ConsentryStorage
import ConsentryRecords

/// The reports officers give customers and regulators, built from the store and the policy
/// as `ReportDocument`s (JSON, HTML, CSV). The record of processing needs only the policy
/// (`ReportDocument.recordOfProcessing`).
public struct ComplianceReports: Sendable {
    public let database: AppDatabase
    public let customers: EncryptedCustomerStore

    public init(database: AppDatabase, customers: EncryptedCustomerStore) {
        self.database = database
        self.customers = customers
    }

    // MARK: Access (Art. 15)

    /// Everything GDPR Art. 15 asks for about one customer: the data, decrypted, with its
    /// categories; the purposes with legal basis and retention; who received which data for
    /// which purpose (from the audit); the consent history with receipts; requests; rights.
    /// - Returns: `nil` for an unknown or erased customer (see the erasure report).
    public func access(customerID: String, policy: Policy, now: Date = Date()) async throws -> ReportDocument? {
        guard let customer = try await customers.customer(id: customerID) else { return nil }
        let ledger = ConsentLedger(database: database)
        guard let (state, _) = try await ledger.privacyState(customerID: customerID) else { return nil }
        let history = try await ledger.history(customerID: customerID)
        let receipts = try await ledger.receipts(customerID: customerID)
        let recipients = try await AuditReader(database: database).recipients(customerID: customerID)
        let requests = try await DataSubjectRequestStore(database: database).requests(customerID: customerID)
        let jurisdiction = policy.jurisdiction(for: state.residence)
        let automated = policy.purposes.values.filter { $0.automatedDecision != nil }.sorted { $0.id < $1.id }
        let language = customer.profile.preferredLanguage
        let data = PersonalFieldCodec.encode(customer.profile).map { field -> [String] in
            let policyField = PolicyField.of(storedPath: field.path, in: customer.profile)
            return [field.path.rawValue, policyField.map { policy.category(of: $0) } ?? "", String(decoding: field.value, as: UTF8.self)]
        }
        let purposes = policy.purposes.values.sorted { $0.id < $1.id }.map { purpose -> [String] in
            let standing = ConsentStanding(purpose: purpose, state: state, now: now, jurisdiction: policy.jurisdiction(for: state.residence))
            return [
                purpose.id, purpose.description.text(for: "en"), purpose.legalBasis.rawValue, purpose.legalBasis.article,
                purpose.categories.keys.sorted().joined(separator: " "), "\(purpose.retention.period) after \(purpose.retention.from.rawValue)",
                standing.status.rawValue + (standing.since.map { " since " + ISOTimestamp.format($0) } ?? ""),
            ]
        }
        return ReportDocument(
            kind: "access", title: "Access report (GDPR Art. 15) for customer \(customerID)", generatedAt: now,
            sections: [
                .init(title: "The customer", content: .facts([
                    ("Customer id", customer.id), ("External id", customer.externalId ?? ""), ("Status", customer.status.rawValue),
                    ("Customer since", ISOTimestamp.format(customer.createdAt)), ("Record version", String(customer.version)),
                    ("Source", "collected from the customer at onboarding and through self-service, or migrated from the operator's previous CRM"),
                    ("Processing restricted", state.restricted ? "yes" : "no"),
                    ("Jurisdiction", "\(jurisdiction.name): \(jurisdiction.law)"),
                    ("Opted out of", state.optOuts.isEmpty ? "-" : state.optOuts.sorted().map(\.rawValue).joined(separator: " ")),
                ])),
                .init(title: "Personal data held", note: "Every value below is stored encrypted; this report is the decrypted copy the customer is entitled to.",
                      content: .table(columns: ["field", "category", "value"], rows: data)),
                .init(title: "Purposes, legal bases and retention", content: .table(
                    columns: ["purpose", "description", "legal basis", "article", "categories", "retention", "customer's standing"], rows: purposes)),
                .init(title: "Recipients", note: "Modules that received this customer's data, from the audit trail.", content: .table(
                    columns: ["module", "purpose", "fields", "reads", "first", "last"],
                    rows: recipients.map { [$0.module, $0.purpose, $0.fields.joined(separator: " "), String($0.reads), $0.first, $0.last] })),
                .init(title: "Consent history", content: .table(
                    columns: ["time", "purpose", "event", "channel", "expressed by", "notice version"],
                    rows: history.map { event in
                        [ISOTimestamp.format(event.occurredAt), event.purpose ?? "(all)", event.kind.rawValue, event.channel.rawValue, event.expressedBy.rawValue,
                         event.noticeVersion ?? ""]
                    })),
                .init(title: "Consent receipts", note: "Signed (ES256) ISO/IEC TS 27560 receipts; verify with /self/v1/receipts/jwks.", content: .table(
                    columns: ["receipt", "purpose", "issued", "JWS"],
                    rows: receipts.map { [$0.id, $0.purpose ?? "", ISOTimestamp.format($0.issuedAt), $0.jws] })),
                .init(title: "Data-subject requests", content: .table(
                    columns: ["request", "type", "status", "received", "due"],
                    rows: requests.map { [$0.id, $0.type.rawValue, $0.status.rawValue, ISOTimestamp.format($0.receivedAt), ISOTimestamp.format($0.dueAt)] })),
                .init(
                    title: "Automated decisions (GDPR Art. 22)",
                    note: "Purposes that decide by automated means alone with legal or similarly significant effect, the logic involved and its consequences (Art. 15(1)(h)). Ask for a person to review a decision: a human_review request naming the purpose.",
                    content: .table(
                        columns: ["purpose", "logic", "significance and consequences"],
                        rows: automated.map { [$0.id, $0.automatedDecision!.logic.text(for: language), $0.automatedDecision!.significance.text(for: language)] })),
                .init(title: "Your rights", note: "Under \(jurisdiction.law); complaints to \(jurisdiction.supervisoryAuthority).", content: .facts(Self.rights(in: jurisdiction))),
            ])
    }

    /// The rights the customer's jurisdiction grants, each with how fast it is answered.
    static func rights(in jurisdiction: Jurisdiction) -> [(String, String)] {
        let byType: [DataSubjectRequest.RequestType: String] = [
            .access: "Access (Art. 15)", .rectification: "Rectification (Art. 16)", .erasure: "Erasure (Art. 17)", .restriction: "Restriction (Art. 18)",
            .portability: "Portability (Art. 20)", .objection: "Objection (Art. 21)", .humanReview: "Human review of an automated decision (Art. 22(3))",
        ]
        var result = rights.filter { label, _ in
            guard let type = byType.first(where: { $0.value == label })?.key else { return true }
            return jurisdiction.rights[type] != nil
        }.map { label, text -> (String, String) in
            guard let type = byType.first(where: { $0.value == label })?.key, let deadline = jurisdiction.rights[type] else { return (label, text) }
            return (label, text + "; answered within \(deadline.period)" + (deadline.extensionLimit.map { ", or \($0) more with a reason" } ?? ""))
        }
        if let review = jurisdiction.rights[.humanReview] {
            result.append((byType[.humanReview]!, "file a human_review request naming the purpose; answered within \(review.period)"))
        }
        for right in jurisdiction.optOuts.keys.sorted() {
            result.append((right.title.text(for: "en"), "PUT /self/v1/me/opt-outs/\(right.rawValue); takes effect at once"
                + ((jurisdiction.optOuts[right]?.honoursGPC ?? false) ? "; a Global Privacy Control signal does the same" : "")))
        }
        return result
    }

    static let rights: [(String, String)] = [
        ("Access (Art. 15)", "this report; ask again at any time through self-service or the operator"),
        ("Rectification (Art. 16)", "correct contact details in self-service (PATCH /self/v1/me) or file a rectification request"),
        ("Erasure (Art. 17)", "file an erasure request; data the law obliges us to keep is kept until its retention ends, and nothing else"),
        ("Restriction (Art. 18)", "restrict processing in self-service (PUT /self/v1/me/restriction)"),
        ("Portability (Art. 20)", "download your data as JSON or CSV (GET /self/v1/me/export)"),
        ("Objection (Art. 21)", "object to purposes resting on legitimate interest (PUT /self/v1/me/objections/{purpose})"),
        ("Withdraw consent (Art. 7(3))", "as easily as it was given (PUT /self/v1/me/consents/{purpose})"),
        ("Complaint (Art. 77)", "to your data protection supervisory authority"),
    ]

    // MARK: Erasure (Art. 17)

    public func erasure(customerID: String, now: Date = Date()) async throws -> ReportDocument? {
        let hub = EventHub(database: database)
        guard let tombstone = try await database.read({ db in try ErasureTombstone.fetch(customerID: customerID, db) }) else { return nil }
        let recipients = try await hub.recipients(eventID: tombstone.eventID)
        let acknowledgements = Dictionary(uniqueKeysWithValues: try await hub.acknowledgements(eventID: tombstone.eventID).map { ($0.moduleID, $0.at) })
        let auditSeq = try await database.read { db in
            try db.fetchValue(Int64.self, "SELECT seq FROM audit_entry WHERE action = 'customer.erased' AND customer_id = ? ORDER BY seq LIMIT 1", [customerID])
        }
        return ReportDocument(
            kind: "erasure", title: "Erasure report (GDPR Art. 17) for customer \(customerID)", generatedAt: now,
            sections: [
                .init(title: "Erasure", content: .facts([
                    ("Customer id", customerID), ("Erased at", ISOTimestamp.format(tombstone.erasedAt)), ("Request", tombstone.requestID ?? "(none)"),
                    ("Carried out by", tombstone.actor), ("Data key", "destroyed; held fields re-sealed under a new key"),
                    ("Blind indexes", "purged"), ("Consent receipts", "purged to id, purpose, time and SHA-256"),
                    ("Event", tombstone.eventID), ("Audit entry", auditSeq.map { "seq \($0)" } ?? "(not found)"),
                ])),
                .init(title: "Erased", content: .table(columns: ["field"], rows: tombstone.erasedFields.map { [$0] })),
                .init(title: "Kept under a legal obligation", content: .table(
                    columns: ["field", "category", "purposes", "legal basis", "until"],
                    rows: tombstone.held.map { [$0.field, $0.category, $0.purposes.joined(separator: " "), "legal_obligation (Art. 6(1)(c), 17(3)(b))", ISOTimestamp.format($0.until)] })),
                .init(title: "Modules notified", content: .table(
                    columns: ["module", "acknowledged"],
                    rows: recipients.map { [$0, acknowledgements[$0].map(ISOTimestamp.format) ?? "not yet"] })),
            ])
    }

    // MARK: Consents

    public typealias ConsentFilter = ConsentReportFilter

    /// Current state by purpose (counts), and the changes in a time window by purpose,
    /// kind and channel.
    public func consents(_ filter: ConsentFilter, policy: Policy, now: Date = Date()) async throws -> ReportDocument {
        let (state, changes) = try await database.read { db in
            let state = try db.fetchAll("""
                    SELECT cs.purpose, cs.status, COUNT(*) AS n FROM consent_state cs JOIN customer c ON c.id = cs.customer_id
                    WHERE c.erased_at IS NULL AND cs.status IS NOT NULL AND (cs.purpose = ?1 OR ?1 IS NULL) AND (cs.status = ?2 OR ?2 IS NULL)
                    GROUP BY cs.purpose, cs.status ORDER BY cs.purpose, cs.status
                    """, [filter.purpose, filter.status?.rawValue])
            let changes = try db.fetchAll("""
                    SELECT purpose, kind, channel, COUNT(*) AS n FROM consent_event
                    WHERE (purpose = ?1 OR ?1 IS NULL) AND (kind = ?2 OR ?2 IS NULL) AND (channel = ?3 OR ?3 IS NULL)
                      AND (occurred_at >= ?4 OR ?4 IS NULL) AND (occurred_at < ?5 OR ?5 IS NULL)
                    GROUP BY purpose, kind, channel ORDER BY purpose, kind, channel
                    """, [filter.purpose, filter.status?.rawValue, filter.channel?.rawValue, filter.from, filter.to])
            return (state, changes)
        }
        let window = [filter.from.map { "from " + ISOTimestamp.format($0) }, filter.to.map { "to " + ISOTimestamp.format($0) }].compactMap { $0 }
        return ReportDocument(
            kind: "consents", title: "Consent report", generatedAt: now,
            sections: [
                .init(title: "Filters", content: .facts([
                    ("Purpose", filter.purpose ?? "all"), ("State", filter.status?.rawValue ?? "all"), ("Channel (changes)", filter.channel?.rawValue ?? "all"),
                    ("Window (changes)", window.isEmpty ? "all time" : window.joined(separator: " ")), ("Policy", policy.version),
                ])),
                .init(title: "Current state by purpose", note: "Customers by their current consent; erased customers are left out.", content: .table(
                    columns: ["purpose", "state", "customers"], rows: state.map { [$0["purpose"], $0["status"], String($0["n"] as Int)] })),
                .init(title: "Changes in the window", content: .table(
                    columns: ["purpose", "event", "channel", "count"],
                    rows: changes.map { [$0["purpose"] ?? "(all)", $0["kind"], $0["channel"], String($0["n"] as Int)] })),
            ])
    }

    /// A page of customers' current consents, as text columns (customer_id, purpose, state,
    /// since, expires_at, notice_version, objection), and how many rows match in all.
    public func consentPage(_ filter: ConsentFilter, offset: Int, limit: Int) async throws -> (total: Int, rows: [[String]]) {
        try await database.read { db in
            let condition = """
                FROM consent_state cs JOIN customer c ON c.id = cs.customer_id
                WHERE c.erased_at IS NULL AND (cs.purpose = ?1 OR ?1 IS NULL) AND (cs.status = ?2 OR ?2 IS NULL)
                """
            let arguments: [(any SQLValueConvertible)?] = [filter.purpose, filter.status?.rawValue]
            let total = try db.fetchValue(Int.self, "SELECT COUNT(*) \(condition)", arguments) ?? 0
            let rows = try db.fetchAll("SELECT cs.* \(condition) ORDER BY cs.customer_id, cs.purpose LIMIT ?3 OFFSET ?4", arguments + [limit, offset])
            return (total, rows.map(Self.consentRow))
        }
    }

    static func consentRow(_ row: SQLRow) -> [String] {
        [
            row["customer_id"], row["purpose"], row["status"] ?? "", isoTimestamp(row["since"]), isoTimestamp(row["expires_at"]),
            row["notice_version"] ?? "", (row["objection"] as Bool) ? "yes" : "no",
        ]
    }

    /// GRDB's stored date text (`2026-11-27 10:00:00.000`) as ISO 8601 (`2026-11-27T10:00:00Z`)
    /// without parsing a `Date`: the export's cost per row is mostly date handling otherwise.
    static func isoTimestamp(_ stored: String?) -> String {
        guard let stored, stored.utf8.count >= 19 else { return "" }
        var text = String(stored.prefix(19))
        text.replaceSubrange(text.index(text.startIndex, offsetBy: 10)...text.index(text.startIndex, offsetBy: 10), with: "T")
        return text + "Z"
    }

    /// Writes every customer's current consent (one line per customer and purpose) as CSV,
    /// streaming from a database cursor: memory stays flat whatever the number of customers.
    /// - Returns: the number of rows written.
    public func exportConsents(_ filter: ConsentFilter, write: @escaping @Sendable (Data) throws -> Void) async throws -> Int {
        try await database.read { db in
            try write(Data("customer_id,purpose,state,since,expires_at,notice_version,objection\r\n".utf8))
            var count = 0
            var buffer = Data()
            buffer.reserveCapacity(1 << 16)
            try db.forEach(
                """
                SELECT cs.* FROM consent_state cs JOIN customer c ON c.id = cs.customer_id
                WHERE c.erased_at IS NULL AND (cs.purpose = ?1 OR ?1 IS NULL) AND (cs.status = ?2 OR ?2 IS NULL)
                ORDER BY cs.customer_id, cs.purpose
                """, [filter.purpose, filter.status?.rawValue]
            ) { row in
                buffer += Data((Self.consentRow(row).map(ReportDocument.csvField).joined(separator: ",") + "\r\n").utf8)
                count += 1
                if buffer.count >= 1 << 16 {
                    try write(buffer)
                    buffer.removeAll(keepingCapacity: true)
                }
            }
            try write(buffer)
            return count
        }
    }

    // MARK: Requests (SLA)

    /// Open and overdue requests, and how long closed ones took, by type.
    public func requests(now: Date = Date()) async throws -> ReportDocument {
        let all = try await database.read { db in
            try db.dataSubjectRequests(sql: "SELECT * FROM data_subject_request ORDER BY received_at", [])
        }
        let rows = DataSubjectRequest.RequestType.allCases.map { type -> [String] in
            let ofType = all.filter { $0.type == type }
            let open = ofType.filter(\.status.isOpen)
            let closed = ofType.filter { $0.closedAt != nil }
            let days = closed.map { $0.closedAt!.timeIntervalSince($0.receivedAt) / 86400 }.sorted()
            let inTime = closed.filter { $0.closedAt! <= $0.dueAt }.count
            func percentile(_ p: Double) -> String {
                guard !days.isEmpty else { return "" }
                return String(format: "%.1f", days[min(days.count - 1, Int((Double(days.count - 1) * p).rounded()))])
            }
            return [
                type.rawValue, String(ofType.count), String(open.count), String(open.filter { $0.isOverdue(at: now) }.count),
                String(open.filter { $0.extendedByMonths > 0 }.count), String(closed.count), percentile(0.5), percentile(0.9),
                closed.isEmpty ? "" : String(format: "%.0f%%", 100 * Double(inTime) / Double(closed.count)),
            ]
        }
        let overdue = all.filter { $0.isOverdue(at: now) }
        return ReportDocument(
            kind: "requests", title: "Data-subject request SLA report", generatedAt: now,
            sections: [
                .init(title: "Summary", content: .facts([
                    ("Requests", String(all.count)), ("Open", String(all.filter(\.status.isOpen).count)), ("Overdue", String(overdue.count)),
                ])),
                .init(title: "By type", note: "Days from receipt to closing; on time means closed by the (possibly extended) due date.", content: .table(
                    columns: ["type", "requests", "open", "overdue", "extended", "closed", "median days", "90th percentile days", "closed on time"], rows: rows)),
                .init(title: "Overdue requests", content: .table(
                    columns: ["request", "type", "status", "received", "due", "customer"],
                    rows: overdue.map { [$0.id, $0.type.rawValue, $0.status.rawValue, ISOTimestamp.format($0.receivedAt), ISOTimestamp.format($0.dueAt), $0.customerID] })),
            ])
    }
}
