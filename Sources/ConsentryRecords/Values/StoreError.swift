/// A store failure with a stable code and a message free of personal data.
public struct StoreError: Error, Equatable, Sendable, CustomStringConvertible {
    public var code: Code
    public var message: String
    /// The input field the error is about, when there is one.
    public var path: String?

    /// A stable, machine-readable reason: adapters map some to statuses (409, 503), imports
    /// write them into rejects files.
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        public static let alreadyInitialized = Code(rawValue: "already_initialized")
        public static let auditTampered = Code(rawValue: "audit_tampered")
        public static let backupExists = Code(rawValue: "backup_exists")
        public static let backupMissing = Code(rawValue: "backup_missing")
        public static let backupUnsupported = Code(rawValue: "backup_unsupported")
        public static let badCsvHeader = Code(rawValue: "bad_csv_header")
        public static let copyMismatch = Code(rawValue: "copy_mismatch")
        public static let corruptRecord = Code(rawValue: "corrupt_record")
        public static let duplicateExternalId = Code(rawValue: "duplicate_external_id")
        public static let duplicateLoginSubject = Code(rawValue: "duplicate_login_subject")
        public static let erased = Code(rawValue: "erased")
        public static let installationBusy = Code(rawValue: "installation_busy")
        public static let `internal` = Code(rawValue: "internal")
        public static let ledgerCorrupt = Code(rawValue: "ledger_corrupt")
        public static let ledgerUnwritable = Code(rawValue: "ledger_unwritable")
        public static let lockUnavailable = Code(rawValue: "lock_unavailable")
        public static let notFound = Code(rawValue: "not_found")
        public static let notInitialized = Code(rawValue: "not_initialized")
        public static let outputExists = Code(rawValue: "output_exists")
        public static let outputUnwritable = Code(rawValue: "output_unwritable")
        public static let purposeRequired = Code(rawValue: "purpose_required")
        public static let restoreFailed = Code(rawValue: "restore_failed")
        public static let staleKeys = Code(rawValue: "stale_keys")
        public static let staleRequest = Code(rawValue: "stale_request")
        public static let targetNotEmpty = Code(rawValue: "target_not_empty")
        public static let undecryptable = Code(rawValue: "undecryptable")
        public static let unknownCustomer = Code(rawValue: "unknown_customer")
        public static let unknownRelatedParty = Code(rawValue: "unknown_related_party")
        public static let unreadableInput = Code(rawValue: "unreadable_input")
        public static let versionConflict = Code(rawValue: "version_conflict")
    }

    public init(code: Code, message: String, path: String? = nil) {
        self.code = code
        self.message = message
        self.path = path
    }

    public var description: String { path.map { "\($0): \(message)" } ?? message }

    public static func duplicateExternalId() -> StoreError {
        StoreError(code: .duplicateExternalId, message: "a customer with this externalId already exists", path: "externalId")
    }

    public static func unknownRelatedParty(path: String) -> StoreError {
        StoreError(code: .unknownRelatedParty, message: "no stored customer has this reference", path: path)
    }

    public static func undecryptable(customerID: String, field: String) -> StoreError {
        StoreError(code: .undecryptable, message: "customer \(customerID): field \(field) does not decrypt (corrupt, moved, or under a retired key)")
    }

    public static func versionConflict() -> StoreError {
        StoreError(code: .versionConflict, message: "the customer changed since the version given in If-Match")
    }

    public static func notFound() -> StoreError {
        StoreError(code: .notFound, message: "no customer with this id")
    }

    public static func erased() -> StoreError {
        StoreError(code: .erased, message: "this customer was erased; only data under a legal hold remains")
    }


    /// A key was wrapped under a KEK version older than the one the database records as
    /// active (this process has not reloaded its keys since a rotation).
    public static func staleKeys(wrappedUnder version: UInt32, active: UInt32) -> StoreError {
        StoreError(code: .staleKeys, message: "a key was wrapped under KEK version \(version), but version \(active) is active; reload the keys")
    }
}
