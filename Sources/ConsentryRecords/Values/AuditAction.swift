/// What an audit entry records, as a closed vocabulary for the code that writes entries and
/// an open one for reading: a trail written by another version may hold actions this one
/// does not name, and still verifies.
public struct AuditAction: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }

    public var description: String { rawValue }

    // Module calls
    public static let customerRead = AuditAction(rawValue: "customer.read")
    public static let customerSearch = AuditAction(rawValue: "customer.search")
    public static let customerList = AuditAction(rawValue: "customer.list")
    public static let customerAudience = AuditAction(rawValue: "customer.audience")
    public static let customerCreate = AuditAction(rawValue: "customer.create")
    public static let customerUpdate = AuditAction(rawValue: "customer.update")
    public static let accessDenied = AuditAction(rawValue: "access.denied")
    public static let privacyProfileRead = AuditAction(rawValue: "privacyProfile.read")
    public static let privacyAgreementList = AuditAction(rawValue: "privacyAgreement.list")
    public static let subscriptionCreated = AuditAction(rawValue: "subscription.created")
    public static let subscriptionDeleted = AuditAction(rawValue: "subscription.deleted")
    public static let eventAcknowledged = AuditAction(rawValue: "event.acknowledged")

    // Customers and guardians
    public static let selfRead = AuditAction(rawValue: "self.read")
    public static let selfExport = AuditAction(rawValue: "self.export")
    public static let selfDashboard = AuditAction(rawValue: "self.dashboard")
    public static let selfRectify = AuditAction(rawValue: "self.rectify")
    public static let guardianRead = AuditAction(rawValue: "guardian.read")
    public static let guardianConsentsRead = AuditAction(rawValue: "guardian.consents.read")
    public static let objectionRaised = AuditAction(rawValue: "objection.raised")
    public static let objectionWithdrawn = AuditAction(rawValue: "objection.withdrawn")
    public static let restrictionRequested = AuditAction(rawValue: "restriction.requested")
    public static let restrictionLifted = AuditAction(rawValue: "restriction.lifted")
    public static let consentImported = AuditAction(rawValue: "consent.imported")

    /// `consent.given`, `consent.refused`, `consent.withdrawn`.
    public static func consent(_ status: String) -> AuditAction { AuditAction(rawValue: "consent.\(status)") }

    /// `optOut.sale-sharing`, `optOutWithdrawn.limit-sensitive`...
    public static func optOut(_ right: String, exercised: Bool) -> AuditAction {
        AuditAction(rawValue: (exercised ? "optOut." : "optOutWithdrawn.") + right)
    }

    // Breaches (GDPR Art. 33/34)
    public static let breachRecorded = AuditAction(rawValue: "breach.recorded")
    public static let breachUpdated = AuditAction(rawValue: "breach.updated")
    public static let breachLetters = AuditAction(rawValue: "breach.letters")

    // Requests, erasure and reports
    public static let requestFiled = AuditAction(rawValue: "request.filed")
    public static let requestStatus = AuditAction(rawValue: "request.status")
    public static let requestExtended = AuditAction(rawValue: "request.extended")
    public static let customerErased = AuditAction(rawValue: "customer.erased")
    public static let customerHoldsExpired = AuditAction(rawValue: "customer.holds_expired")
    public static let reportAccess = AuditAction(rawValue: "report.access")

    /// `report.access`, `report.erasure`, `report.consents`...
    public static func report(_ kind: String) -> AuditAction { AuditAction(rawValue: "report.\(kind)") }

    // Operators
    public static let policyReload = AuditAction(rawValue: "policy.reload")
    public static let eventsRequeued = AuditAction(rawValue: "events.requeued")

    // The web console
    /// An officer or operator signed in to the console with their key.
    public static let consoleSignIn = AuditAction(rawValue: "console.sign_in")
}
