import Foundation

/// A signed consent receipt as stored: compact JWS over the receipt's JSON.
public struct StoredReceipt: Sendable, Equatable {
    public var id: String
    public var purpose: String?
    public var issuedAt: Date
    public var jws: String

    public init(id: String, purpose: String?, issuedAt: Date, jws: String) {
        self.id = id
        self.purpose = purpose
        self.issuedAt = issuedAt
        self.jws = jws
    }
}
