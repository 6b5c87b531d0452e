import Foundation

/// A customer (TMF629) of the operator, over its engaged party (TMF632).
///
/// `id`, `externalId`, `status`, `version` and the timestamps are administrative and stored
/// plain; everything in `profile` is personal data and is stored only encrypted.
public struct Customer: Sendable, Equatable, Identifiable {
    public var id: String
    /// The identifier of this customer in the system it was migrated from, if any.
    public var externalId: String?
    public var status: CustomerStatus
    /// Incremented on every change; the HTTP ETag.
    public var version: Int
    public var createdAt: Date
    public var updatedAt: Date
    public var profile: CustomerProfile

    public init(
        id: String, externalId: String?, status: CustomerStatus, version: Int,
        createdAt: Date, updatedAt: Date, profile: CustomerProfile
    ) {
        self.id = id
        self.externalId = externalId
        self.status = status
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.profile = profile
    }
}

/// TMF629 customer lifecycle states used by Consentry.
public enum CustomerStatus: String, Sendable, Codable, CaseIterable {
    case prospective, active, suspended, inactive, closed
}
