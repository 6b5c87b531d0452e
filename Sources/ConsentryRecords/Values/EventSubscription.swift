import Foundation

/// A module's registration at the hub: where to POST events, and which ones.
public struct EventSubscription: Sendable, Equatable {
    public var id: String
    public var moduleID: String
    public var callback: String
    /// The TMF hub query, as given (see `EventFilter`).
    public var query: String
    public var createdAt: Date

    public init(id: String, moduleID: String, callback: String, query: String, createdAt: Date) {
        self.id = id
        self.moduleID = moduleID
        self.callback = callback
        self.query = query
        self.createdAt = createdAt
    }
}
