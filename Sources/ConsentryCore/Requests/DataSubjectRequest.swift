import Foundation

/// A data-subject request (GDPR Art. 15-22 and their equivalents): what the customer asked
/// for, where it stands, and by when it must be answered under the customer's jurisdiction
/// (GDPR Art. 12(3): one month, extendable by two; CCPA: 45 days, +45; LGPD: 15 days).
public struct DataSubjectRequest: Sendable, Equatable {
    public var id: String
    public var customerID: String
    public var type: RequestType
    public var status: Status
    public var receivedAt: Date
    public var dueAt: Date
    public var channel: String
    /// Who filed it: the customer, an agent for a caller, or an officer.
    public var filedBy: FiledBy
    public var filedByID: String?
    /// For an objection or a restriction limited to one purpose.
    public var purpose: String?
    /// For a rectification: the fields the customer says are wrong (names, never values).
    public var fields: [String]
    /// The jurisdiction whose deadline applies, fixed when the request is filed.
    public var jurisdiction: String
    public var deadline: Jurisdiction.Deadline
    /// Months added to a deadline extended in months (GDPR Art. 12(3): at most two), and why.
    public var extendedByMonths: Int = 0
    /// The whole extension granted so far (`P2M`, `P45D`); `nil` while not extended.
    public var extendedBy: ISODuration?
    public var extensionReason: String?
    /// The officer who last acted on it.
    public var handledBy: String?
    /// Who verified the requester's identity (an officer's or agent's id): with four-eyes on,
    /// someone else carries an erasure out.
    public var verifiedBy: String?
    public var closedAt: Date?
    /// Why it was rejected, cancelled, or completed without every module's acknowledgement.
    public var closingReason: String?
    /// For an erasure: the event modules must acknowledge.
    public var erasureEventID: String?

    public enum RequestType: String, Sendable, CaseIterable, Codable {
        case access, portability, erasure, rectification, restriction, objection
        /// GDPR Art. 22(3): a human reviews an automated decision, for a purpose that makes them.
        case humanReview = "human_review"
    }

    public enum Status: String, Sendable, CaseIterable, Codable {
        case received
        case identityVerified = "identity_verified"
        case inProgress = "in_progress"
        case awaitingModules = "awaiting_modules"
        case completed, rejected, cancelled

        public var isOpen: Bool { self != .completed && self != .rejected && self != .cancelled }

        /// Where the workflow lets a request go from here: received → identity verified → in
        /// progress → (awaiting modules) → completed; rejected or cancelled from any open state.
        public var next: [Status] {
            switch self {
            case .received: [.identityVerified, .rejected, .cancelled]
            case .identityVerified: [.inProgress, .rejected, .cancelled]
            case .inProgress: [.awaitingModules, .completed, .rejected, .cancelled]
            case .awaitingModules: [.completed, .cancelled]
            case .completed, .rejected, .cancelled: []
            }
        }
    }

    public enum FiledBy: String, Sendable, CaseIterable, Codable {
        case customer, agent, officer
    }

    public init(
        id: String, customerID: String, type: RequestType, status: Status = .received, receivedAt: Date, dueAt: Date? = nil,
        channel: String, filedBy: FiledBy, filedByID: String? = nil, purpose: String? = nil, fields: [String] = [],
        jurisdiction: String = Jurisdiction.gdprDefault.id, deadline: Jurisdiction.Deadline = .gdpr
    ) {
        self.jurisdiction = jurisdiction
        self.deadline = deadline
        self.id = id
        self.customerID = customerID
        self.type = type
        self.status = status
        self.receivedAt = receivedAt
        self.dueAt = dueAt ?? deadline.period.added(to: receivedAt)
        self.channel = channel
        self.filedBy = filedBy
        self.filedByID = filedByID
        self.purpose = purpose
        self.fields = fields
    }

    /// Still open after its (possibly extended) due date.
    public func isOverdue(at now: Date) -> Bool { status.isOpen && dueAt < now }

    /// Extends the deadline, with the reason recorded. An extension in months (GDPR: two at
    /// most in all) is taken a month or more at a time and counts from receipt, so extensions
    /// add up; one in days (CCPA: 45) is taken whole, once. `months` is `nil` for "all that
    /// is left".
    public mutating func extend(byMonths months: Int?, reason: String) throws(RequestChangeError) {
        guard status.isOpen else { throw .closed(status) }
        guard let allowed = deadline.extensionLimit else { throw .noExtension(jurisdiction: jurisdiction) }
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        let monthly = allowed.isMonthsOnly && deadline.period.isMonthsOnly
        if monthly {
            let months = months ?? (allowed.months - extendedByMonths)
            guard months >= 1, extendedByMonths + months <= allowed.months else { throw .extensionTooLong(alreadyExtended: extendedByMonths, allowed: allowed) }
            guard (1...500).contains(reason.count) else { throw .reasonRequired }
            extendedByMonths += months
            extendedBy = ISODuration(months: extendedByMonths)
            dueAt = ISODuration(months: deadline.period.months + extendedByMonths).added(to: receivedAt)
        } else {
            guard extendedBy == nil, months == nil else { throw .extensionTooLong(alreadyExtended: extendedByMonths, allowed: allowed) }
            guard (1...500).contains(reason.count) else { throw .reasonRequired }
            extendedBy = allowed
            dueAt = allowed.added(to: deadline.period.added(to: receivedAt))
        }
        extensionReason = reason
    }

    /// Moves to `next` if the workflow allows it: received → identity verified → in
    /// progress → (awaiting modules) → completed; rejected or cancelled from any open state.
    /// Rejecting, and completing while modules have not all acknowledged, need a reason.
    public mutating func move(to next: Status, reason: String?, at now: Date) throws(RequestChangeError) {
        guard status.next.contains(next) else { throw .transition(from: status, to: next) }
        let reason = reason?.trimmingCharacters(in: .whitespacesAndNewlines)
        if next == .rejected || (status == .awaitingModules && next == .completed) {
            guard let reason, (1...500).contains(reason.count) else { throw .reasonRequired }
        }
        status = next
        if !next.isOpen {
            closedAt = now
            closingReason = reason
        }
    }

    /// The extensions still open: whole months (1 up to what is left) for an extension in
    /// months; one step (`nil`: all of it) for an extension in days; none when used up.
    public var extensionChoices: [Int?] {
        guard status.isOpen, let allowed = deadline.extensionLimit else { return [] }
        if allowed.isMonthsOnly && deadline.period.isMonthsOnly {
            let left = allowed.months - extendedByMonths
            return left > 0 ? (1...left).map { $0 } : []
        }
        return extendedBy == nil ? [nil] : []
    }

    /// A customer filing the same type again (for the same purpose) while one is open files a duplicate.
    public func duplicates(_ other: DataSubjectRequest) -> Bool {
        other.status.isOpen && other.customerID == customerID && other.type == type && other.purpose == purpose
    }
}

/// Why a request cannot change as asked. Messages name states, never personal data.
public enum RequestChangeError: Error, Sendable, Equatable, CustomStringConvertible {
    case transition(from: DataSubjectRequest.Status, to: DataSubjectRequest.Status)
    case closed(DataSubjectRequest.Status)
    case extensionTooLong(alreadyExtended: Int, allowed: ISODuration)
    case noExtension(jurisdiction: String)
    case reasonRequired

    public var description: String {
        switch self {
        case .transition(let from, let to): "a request that is \(from.rawValue) cannot become \(to.rawValue)"
        case .closed(let status): "the request is \(status.rawValue)"
        case .extensionTooLong(let months, let allowed):
            allowed.isMonthsOnly
                ? "the deadline may be extended by \(allowed.months) month(s) at most in all (already \(months))"
                : "the deadline may be extended once, by \(allowed) in all: send no months"
        case .noExtension(let jurisdiction): "the deadline of a request under \(jurisdiction) cannot be extended"
        case .reasonRequired: "give a reason (1-500 characters); it is recorded"
        }
    }
}
