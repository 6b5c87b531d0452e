public import ConsentryCore
public import ConsentryPolicy
public import ConsentryRecords
public import Foundation

/// The breach register officers keep (GDPR Art. 33(5)): record a breach with the customers it
/// affected (a module's reads in a window, from the audit trail, or a list), follow the clock
/// to the supervisory authority in each affected jurisdiction (Art. 33(1): 72 hours), record
/// the notification and the decision to tell the customers (Art. 34), and write their letters.
/// Every step is audited.
public struct BreachRegister: Sendable {
    let store: any BreachRecords
    let audit: any AuditTrail
    let policies: PolicyRegistry

    public init(store: any BreachRecords, audit: any AuditTrail, policies: PolicyRegistry) {
        self.store = store
        self.audit = audit
        self.policies = policies
    }

    /// What an officer reports.
    public struct Report: Sendable {
        public var title: String
        public var description: String
        public var discoveredAt: Date
        public var occurredFrom: Date?
        public var occurredUntil: Date?
        public var categories: [String]
        public var consequences: String
        public var measures: String
        public var affected: Affected

        public enum Affected: Sendable {
            case moduleReads(module: String, from: Date, until: Date)
            case customers([String])
        }

        public init(
            title: String, description: String, discoveredAt: Date, occurredFrom: Date? = nil, occurredUntil: Date? = nil, categories: [String] = [],
            consequences: String, measures: String, affected: Affected
        ) {
            self.title = title
            self.description = description
            self.discoveredAt = discoveredAt
            self.occurredFrom = occurredFrom
            self.occurredUntil = occurredUntil
            self.categories = categories
            self.consequences = consequences
            self.measures = measures
            self.affected = affected
        }
    }

    /// A breach with its clocks and affected counts, as reports and the API show it.
    public struct Overview: Sendable {
        public var breach: PersonalDataBreach
        public var affectedCount: Int
        public var clocks: [PersonalDataBreach.AuthorityClock]

        /// The earliest authority deadline, while the authority is not yet told.
        public var nextDeadline: Date? { breach.authorityNotifiedAt == nil ? clocks.compactMap(\.dueAt).min() : nil }
    }

    /// - Throws: `UseCaseError` `.invalid` with a precise issue for empty texts, a window that
    ///   ends before it starts, a discovery in the future, an unknown module, category or
    ///   customer id (by position).
    public func record(_ report: Report, officer: String, requestID: String, now: Date = Date()) async throws -> Overview {
        let policy = policies.policy
        var issues: [ValidationIssue] = []
        for (path, text) in [("title", report.title), ("description", report.description), ("consequences", report.consequences), ("measures", report.measures)] {
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty || trimmed.count > 4000 { issues.append(ValidationIssue(path: path, code: "required", message: "1 to 4000 characters")) }
        }
        if report.discoveredAt > now.addingTimeInterval(60) {
            issues.append(ValidationIssue(path: "discoveredAt", code: "in_future", message: "a breach cannot be discovered in the future"))
        }
        if let from = report.occurredFrom, let until = report.occurredUntil, until < from {
            issues.append(ValidationIssue(path: "occurredUntil", code: "before_start", message: "must not be before occurredFrom"))
        }
        for (index, category) in report.categories.enumerated() where policy.categories[category] == nil {
            issues.append(ValidationIssue(path: "categories[\(index)]", code: "unknown_category", message: "must be a data category of the policy"))
        }
        let affected: [String]
        var categories = Set(report.categories)
        let selection: PersonalDataBreach.AffectedSelection
        switch report.affected {
        case .moduleReads(let module, let from, let until):
            if policy.modules[module] == nil {
                issues.append(ValidationIssue(path: "affected.module", code: "unknown_module", message: "must be a module of the policy"))
            }
            if until <= from { issues.append(ValidationIssue(path: "affected.until", code: "before_start", message: "must be after affected.from")) }
            guard issues.isEmpty else { throw Self.invalid(issues) }
            let read = try await store.customersRead(byModule: module, from: from, until: until, policy: policy)
            affected = read.customers
            categories.formUnion(read.categories)
            selection = .moduleReads(module: module, from: from, until: until)
        case .customers(let ids):
            if ids.isEmpty { issues.append(ValidationIssue(path: "affected.customers", code: "required", message: "at least one customer id")) }
            if ids.count > 100_000 { issues.append(ValidationIssue(path: "affected.customers", code: "too_many", message: "at most 100000 ids; use a module-reads query")) }
            let unique = Array(Set(ids)).sorted()
            let unknown = Set(try await store.unknownCustomers(unique))
            for (index, id) in ids.enumerated() where unknown.contains(id) {
                issues.append(ValidationIssue(path: "affected.customers[\(index)]", code: "unknown_customer", message: "no customer with this id"))
                if issues.count >= 20 { break }
            }
            affected = unique
            selection = .list(count: unique.count)
        }
        guard issues.isEmpty else { throw Self.invalid(issues) }
        let breach = PersonalDataBreach(
            id: UUID().uuidString.lowercased(), title: report.title, description: report.description, discoveredAt: report.discoveredAt,
            occurredFrom: report.occurredFrom, occurredUntil: report.occurredUntil, categories: categories.sorted(), selection: selection,
            consequences: report.consequences, measures: report.measures, recordedBy: officer, recordedAt: now)
        let counts = try await store.insert(breach, affected: affected, policy: policy)
        try await audit.record(AuditEvent(
            actor: AuditActor(.officer, officer), action: .breachRecorded, customerID: nil,
            fields: ["breach:\(breach.id)", "affected:\(affected.count)"] + counts.keys.sorted().map { "jurisdiction:\($0)=\(counts[$0]!)" },
            outcome: "succeeded", policyVersion: policy.version, requestID: requestID))
        return Overview(breach: breach, affectedCount: affected.count, clocks: breach.clocks(affected: counts, policy: policy))
    }

    public func overview(id: String) async throws -> Overview {
        guard let breach = try await store.breach(id: id) else { throw Self.notFound }
        return try await overview(breach)
    }

    public func list() async throws -> [Overview] {
        var result: [Overview] = []
        for breach in try await store.breaches() { result.append(try await overview(breach)) }
        return result
    }

    /// Records that the supervisory authority was told (Art. 33), with its reference.
    public func authorityNotified(id: String, at: Date, reference: String?, officer: String, requestID: String) async throws -> Overview {
        try await change(id: id, officer: officer, requestID: requestID, what: "authority_notified") { breach in
            guard breach.authorityNotifiedAt == nil else { throw UseCaseError(.conflict, code: "already_notified", "the authority was already told") }
            guard at >= breach.discoveredAt else {
                throw Self.invalid([ValidationIssue(path: "notifiedAt", code: "before_discovery", message: "must not be before the discovery")])
            }
            breach.authorityNotifiedAt = at
            breach.authorityReference = reference
        }
    }

    /// Records the decision whether to tell the customers (Art. 34), with its reason; a
    /// decision not to tell names why (Art. 34(3)).
    public func decideCustomerNotification(id: String, notify: Bool, reason: String, officer: String, requestID: String, now: Date = Date()) async throws -> Overview {
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...2000).contains(reason.count) else {
            throw Self.invalid([ValidationIssue(path: "reason", code: "required", message: "say why (1-2000 characters); Art. 34(3) names when customers need not be told")])
        }
        return try await change(id: id, officer: officer, requestID: requestID, what: notify ? "notify_customers" : "do_not_notify") { breach in
            guard breach.customersNotifiedAt == nil else { throw UseCaseError(.conflict, code: "already_notified", "the customers were already told") }
            breach.customerNotification = .init(notify: notify, reason: reason, decidedBy: officer, decidedAt: now)
        }
    }

    /// The letters, one per affected customer still stored, each in the customer's language.
    /// Marks the customers as told when `markSent` (the operator's mail run sent them).
    /// - Throws: `.conflict` `no_decision` until the decision is to notify.
    public func letters(id: String, markSent: Bool, officer: String, requestID: String, now: Date = Date()) async throws -> (letters: [BreachLetter], unaddressable: Int) {
        guard var breach = try await store.breach(id: id) else { throw Self.notFound }
        guard breach.customerNotification?.notify == true else {
            throw UseCaseError(.conflict, code: "no_decision", "record the decision to notify the customers first (Art. 34)")
        }
        let affected = try await store.affected(breachID: id)
        let addressees = try await store.addressees(customerIDs: affected.map(\.customerID))
        let policy = policies.policy
        let letters = affected.compactMap { customerID, jurisdiction in
            addressees[customerID].map {
                BreachLetter(
                    customerID: customerID, name: $0.name, language: $0.language, law: (policy.jurisdictions[jurisdiction] ?? .gdprDefault).law,
                    breach: breach, controller: policy.controller, categories: policy.categories)
            }
        }
        if markSent, breach.customersNotifiedAt == nil {
            breach.customersNotifiedAt = now
            try await store.update(breach)
        }
        try await audit.record(AuditEvent(
            actor: AuditActor(.officer, officer), action: .breachLetters, customerID: nil,
            fields: ["breach:\(id)", "letters:\(letters.count)"] + (markSent ? ["sent"] : []),
            outcome: "succeeded", policyVersion: policy.version, requestID: requestID))
        return (letters, affected.count - letters.count)
    }

    /// The affected customers with the jurisdiction each fell under.
    public func affected(id: String) async throws -> [(customerID: String, jurisdiction: String)] {
        guard try await store.breach(id: id) != nil else { throw Self.notFound }
        return try await store.affected(breachID: id)
    }

    private func overview(_ breach: PersonalDataBreach) async throws -> Overview {
        let affected = try await store.affected(breachID: breach.id)
        let counts = Dictionary(affected.map { ($0.jurisdiction, 1) }, uniquingKeysWith: +)
        return Overview(breach: breach, affectedCount: affected.count, clocks: breach.clocks(affected: counts, policy: policies.policy))
    }

    private func change(
        id: String, officer: String, requestID: String, what: String, _ body: (inout PersonalDataBreach) throws -> Void
    ) async throws -> Overview {
        guard var breach = try await store.breach(id: id) else { throw Self.notFound }
        try body(&breach)
        try await store.update(breach)
        try await audit.record(AuditEvent(
            actor: AuditActor(.officer, officer), action: .breachUpdated, customerID: nil, fields: ["breach:\(id)", what],
            outcome: "succeeded", policyVersion: policies.policy.version, requestID: requestID))
        return try await overview(breach)
    }

    static let notFound = UseCaseError(.notFound, code: "not_found", "no breach with this id")

    static func invalid(_ issues: [ValidationIssue]) -> UseCaseError {
        UseCaseError(.invalid, code: "validation_failed", "the breach report is not valid", issues: issues)
    }
}
