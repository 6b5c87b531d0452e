/// A store failure with a stable code and a message free of personal data.
public struct StoreError: Error, Equatable, Sendable, CustomStringConvertible {
    public var code: String
    public var message: String
    /// The input field the error is about, when there is one.
    public var path: String?

    public init(code: String, message: String, path: String? = nil) {
        self.code = code
        self.message = message
        self.path = path
    }

    public var description: String { path.map { "\($0): \(message)" } ?? message }

    static func duplicateExternalId() -> StoreError {
        StoreError(code: "duplicate_external_id", message: "a customer with this externalId already exists", path: "externalId")
    }

    static func unknownRelatedParty(path: String) -> StoreError {
        StoreError(code: "unknown_related_party", message: "no stored customer has this reference", path: path)
    }

    static func undecryptable(customerID: String, field: String) -> StoreError {
        StoreError(code: "undecryptable", message: "customer \(customerID): field \(field) does not decrypt (corrupt, moved, or under a retired key)")
    }

    public static func versionConflict() -> StoreError {
        StoreError(code: "version_conflict", message: "the customer changed since the version given in If-Match")
    }

    public static func notFound() -> StoreError {
        StoreError(code: "not_found", message: "no customer with this id")
    }

    public static func erased() -> StoreError {
        StoreError(code: "erased", message: "this customer was erased; only data under a legal hold remains")
    }

    static let staleKeysCode = "stale_keys"

    /// A key was wrapped under a KEK version older than the one the database records as
    /// active (this process has not reloaded its keys since a rotation).
    static func staleKeys(wrappedUnder version: UInt32, active: UInt32) -> StoreError {
        StoreError(code: staleKeysCode, message: "a key was wrapped under KEK version \(version), but version \(active) is active; reload the keys")
    }
}
