import Foundation

/// A personal-data breach as the register keeps it (GDPR Art. 33(5)): what happened, when it
/// was discovered, what and whom it affected, the clock to the supervisory authority in each
/// affected customer's jurisdiction, and the decision whether to tell the customers (Art. 34).
/// Officers write the texts; they name no customer.
public struct PersonalDataBreach: Sendable, Equatable {
    public var id: String
    public var title: String
    /// The nature of the breach (Art. 33(3)(a)).
    public var description: String
    public var discoveredAt: Date
    public var occurredFrom: Date?
    public var occurredUntil: Date?
    /// Data categories concerned: those named, and those the selected reads disclosed.
    public var categories: [String]
    public var selection: AffectedSelection
    /// Likely consequences (Art. 33(3)(c)), and the measures taken or proposed (Art. 33(3)(d)).
    public var consequences: String
    public var measures: String
    public var recordedBy: String
    public var recordedAt: Date
    public var authorityNotifiedAt: Date?
    public var authorityReference: String?
    public var customerNotification: NotificationDecision?
    public var customersNotifiedAt: Date?

    /// How the affected customers were found: a module's reads in a time window, taken from
    /// the audit trail, or a list the officer gives.
    public enum AffectedSelection: Sendable, Equatable {
        case moduleReads(module: String, from: Date, until: Date)
        case list(count: Int)

        public var summary: String {
            switch self {
            case .moduleReads(let module, let from, let until):
                "every customer whose data module \(module) read (permitted or partly) from \(ISOTimestamp.format(from)) until \(ISOTimestamp.format(until)), per the audit trail"
            case .list(let count): "a list of \(count) customer id(s) given by the officer"
            }
        }
    }

    /// Art. 34: whether the customers are told, and why (Art. 34(3) names when they need not be).
    public struct NotificationDecision: Sendable, Equatable {
        public var notify: Bool
        public var reason: String
        public var decidedBy: String
        public var decidedAt: Date

        public init(notify: Bool, reason: String, decidedBy: String, decidedAt: Date) {
            self.notify = notify
            self.reason = reason
            self.decidedBy = decidedBy
            self.decidedAt = decidedAt
        }
    }

    /// The authority's clock in one jurisdiction: due `notification` after discovery.
    public struct AuthorityClock: Sendable, Equatable {
        public var jurisdiction: Jurisdiction
        public var affected: Int
        public var dueAt: Date?

        /// Still to be told, and past due at `now`.
        public func isOverdue(notifiedAt: Date?, at now: Date) -> Bool {
            guard let dueAt, notifiedAt == nil else { return false }
            return dueAt < now
        }
    }

    public init(
        id: String, title: String, description: String, discoveredAt: Date, occurredFrom: Date?, occurredUntil: Date?, categories: [String],
        selection: AffectedSelection, consequences: String, measures: String, recordedBy: String, recordedAt: Date
    ) {
        self.id = id
        self.title = title
        self.description = description
        self.discoveredAt = discoveredAt
        self.occurredFrom = occurredFrom
        self.occurredUntil = occurredUntil
        self.categories = categories
        self.selection = selection
        self.consequences = consequences
        self.measures = measures
        self.recordedBy = recordedBy
        self.recordedAt = recordedAt
    }

    /// One clock per jurisdiction among the affected (`affected`: jurisdiction id → count).
    public func clocks(affected: [String: Int], policy: Policy) -> [AuthorityClock] {
        affected.keys.sorted().map { id in
            let jurisdiction = policy.jurisdictions[id] ?? .gdprDefault
            return AuthorityClock(
                jurisdiction: jurisdiction, affected: affected[id] ?? 0, dueAt: jurisdiction.breachNotification.map { $0.added(to: discoveredAt) })
        }
    }
}
