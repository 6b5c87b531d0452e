import Foundation

/// What remains of an erasure: when, why, what went, what stayed under which legal hold and
/// until when, and the event modules were sent. No personal data.
public struct ErasureTombstone: Sendable, Equatable {
    public struct Held: Sendable, Equatable {
        public var field: String
        public var category: String
        public var purposes: [String]
        public var until: Date

        public init(field: String, category: String, purposes: [String], until: Date) {
            self.field = field
            self.category = category
            self.purposes = purposes
            self.until = until
        }
    }

    public var customerID: String
    public var erasedAt: Date
    public var requestID: String?
    public var erasedFields: [String]
    public var held: [Held]
    public var eventID: String
    /// `officer:<id>`, `system:retention`...
    public var actor: String

    public init(customerID: String, erasedAt: Date, requestID: String?, erasedFields: [String], held: [Held], eventID: String, actor: String) {
        self.customerID = customerID
        self.erasedAt = erasedAt
        self.requestID = requestID
        self.erasedFields = erasedFields
        self.held = held
        self.eventID = eventID
        self.actor = actor
    }
}
