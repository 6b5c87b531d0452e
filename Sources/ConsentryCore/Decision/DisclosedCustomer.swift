import Foundation

/// What the store hands the renderer for one customer: the plain administrative attributes
/// and the decrypted values of only those stored fields a decision lets out.
public struct DisclosedCustomer: Sendable {
    public var id: String
    public var externalId: String?
    public var partyType: PartyType
    public var status: CustomerStatus
    public var version: Int
    public var createdAt: Date
    public var updatedAt: Date
    /// Stored field path → plaintext, in stored order.
    public var fields: [(path: StoredFieldPath, value: [UInt8])]

    public init(
        id: String, externalId: String?, partyType: PartyType, status: CustomerStatus, version: Int,
        createdAt: Date, updatedAt: Date, fields: [(path: StoredFieldPath, value: [UInt8])]
    ) {
        self.id = id
        self.externalId = externalId
        self.partyType = partyType
        self.status = status
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.fields = fields
    }

    /// Whether the stored field at `path` must be decrypted for `disclosed` fields. Contact
    /// media are decrypted when any contact field is disclosed; the renderer drops the rest.
    public static func needsDecryption(_ path: StoredFieldPath, disclosed: Set<PolicyField>) -> Bool {
        if let field = PolicyField(storedPath: path) { return disclosed.contains(field) }
        if path.isItem(of: "contactMedium") {
            return disclosed.contains(.email) || disclosed.contains(.phone) || disclosed.contains(.postalAddress)
        }
        return false
    }
}
