public import ConsentryCore
public import Foundation

extension BreachRegister.Overview {
    /// The breach record (Art. 33(5)): facts, the authority's clock per jurisdiction, the
    /// decision about the customers.
    public func report(now: Date = Date()) -> ReportDocument {
        let breach = self.breach
        func date(_ value: Date?) -> String { value.map(ISOTimestamp.format) ?? "-" }
        let decision = breach.customerNotification
        return ReportDocument(
            kind: "breach", title: "Personal data breach: \(breach.title)", generatedAt: now,
            sections: [
                .init(title: "Breach", content: .facts([
                    ("Id", breach.id), ("Nature of the breach (Art. 33(3)(a))", breach.description),
                    ("Discovered", date(breach.discoveredAt)), ("Occurred from", date(breach.occurredFrom)), ("Occurred until", date(breach.occurredUntil)),
                    ("Data categories", breach.categories.joined(separator: " ")), ("Affected customers", String(affectedCount)),
                    ("How they were found", breach.selection.summary),
                    ("Likely consequences (Art. 33(3)(c))", breach.consequences), ("Measures (Art. 33(3)(d))", breach.measures),
                    ("Recorded by", breach.recordedBy), ("Recorded", date(breach.recordedAt)),
                ])),
                .init(
                    title: "Supervisory authorities",
                    note: breach.authorityNotifiedAt.map { "Notified \(ISOTimestamp.format($0))" + (breach.authorityReference.map { ", reference \($0)" } ?? "") }
                        ?? "Not yet notified.",
                    content: .table(
                        columns: ["jurisdiction", "law", "authority", "affected", "due", "status"],
                        rows: clocks.map { clock in
                            [
                                clock.jurisdiction.id, clock.jurisdiction.law, clock.jurisdiction.supervisoryAuthority, String(clock.affected),
                                clock.dueAt.map(ISOTimestamp.format) ?? "no fixed deadline",
                                breach.authorityNotifiedAt != nil ? "notified"
                                    : clock.isOverdue(notifiedAt: nil, at: now) ? "OVERDUE" : clock.dueAt == nil ? "without undue delay" : "open",
                            ]
                        })),
                .init(title: "Customers (Art. 34)", content: .facts([
                    ("Decision", decision.map { $0.notify ? "notify the customers" : "do not notify" } ?? "not yet decided"),
                    ("Reason", decision?.reason ?? "-"), ("Decided by", decision?.decidedBy ?? "-"), ("Decided", date(decision?.decidedAt)),
                    ("Customers told", date(breach.customersNotifiedAt)),
                ])),
            ])
    }

    /// Hours left until the earliest open authority deadline (negative: overdue).
    public func hoursLeft(at now: Date) -> Int? {
        nextDeadline.map { Int(($0.timeIntervalSince(now) / 3600).rounded(.down)) }
    }
}

extension ReportDocument {
    /// The affected customers of a breach, by id, with the jurisdiction each fell under.
    public static func breachCustomers(_ breach: PersonalDataBreach, affected: [(customerID: String, jurisdiction: String)], now: Date = Date()) -> ReportDocument {
        ReportDocument(
            kind: "breach-customers", title: "Customers affected by breach \(breach.title)", generatedAt: now,
            sections: [.init(
                title: "Affected customers", note: breach.selection.summary,
                content: .table(columns: ["customer", "jurisdiction"], rows: affected.map { [$0.customerID, $0.jurisdiction] }))])
    }

    /// The letters, one row each: customer, language, text.
    public static func breachLetters(_ breach: PersonalDataBreach, letters: [BreachLetter], unaddressable: Int, now: Date = Date()) -> ReportDocument {
        ReportDocument(
            kind: "breach-letters", title: "Notification letters for breach \(breach.title)", generatedAt: now,
            sections: [.init(
                title: "Letters",
                note: unaddressable > 0 ? "\(unaddressable) affected customer(s) are erased: no name or address is left to write to." : nil,
                content: .table(columns: ["customer", "language", "letter"], rows: letters.map { [$0.customerID, $0.language, $0.text] }))])
    }
}
