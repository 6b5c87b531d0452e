/// An engine-level failure, with a stable code and a message free of statement arguments.
public struct StorageFailure: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// A unique or primary key already holds this value.
        case uniqueViolation = "unique_violation"
        /// A foreign key names a row that does not exist.
        case foreignKeyViolation = "foreign_key_violation"
        /// The database cannot be reached or the connection broke.
        case unavailable
        /// Another transaction conflicted; the write may be retried.
        case conflict
        /// A statement got no answer in time; its connection was given up.
        case timeout
        case migration
        case other
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
