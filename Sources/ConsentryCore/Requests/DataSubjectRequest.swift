import Foundation

/// A data-subject request (GDPR Art. 15-22): what the customer asked for, where it stands,
/// and by when it must be answered (Art. 12(3): one month, extendable by two).
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

    public enum RequestType: String, Sendable, CaseIterable, Codable {
        case access, portability, erasure, rectification, restriction, objection
    }

    public enum Status: String, Sendable, CaseIterable, Codable {
        case received
        case identityVerified = "identity_verified"
        case inProgress = "in_progress"
        case awaitingModules = "awaiting_modules"
        case completed, rejected, cancelled

        public var isOpen: Bool { self != .completed && self != .rejected && self != .cancelled }
    }

    public enum FiledBy: String, Sendable, CaseIterable, Codable {
        case customer, agent, officer
    }

    public init(
        id: String, customerID: String, type: RequestType, status: Status = .received, receivedAt: Date, dueAt: Date? = nil,
        channel: String, filedBy: FiledBy, filedByID: String? = nil, purpose: String? = nil, fields: [String] = []
    ) {
        self.id = id
        self.customerID = customerID
        self.type = type
        self.status = status
        self.receivedAt = receivedAt
        self.dueAt = dueAt ?? Self.dueDate(receivedAt: receivedAt)
        self.channel = channel
        self.filedBy = filedBy
        self.filedByID = filedByID
        self.purpose = purpose
        self.fields = fields
    }

    /// One calendar month after receipt (Art. 12(3)), in UTC.
    public static func dueDate(receivedAt: Date) -> Date {
        ISODuration("P1M")!.added(to: receivedAt)
    }

    /// A customer filing the same type again (for the same purpose) while one is open files a duplicate.
    public func duplicates(_ other: DataSubjectRequest) -> Bool {
        other.status.isOpen && other.customerID == customerID && other.type == type && other.purpose == purpose
    }
}
