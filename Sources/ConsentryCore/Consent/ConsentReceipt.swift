import Foundation

/// A consent receipt with the ISO/IEC TS 27560 / Kantara Consent Receipt v1.1 fields, plus
/// Consentry's own (`purposeId`, `consentStatus`, `noticeVersion`, `policyVersion`). It names
/// the customer by id only.
public struct ConsentReceipt: Codable, Sendable, Equatable {
    public var version = "KI-CR-v1.1.0"
    public var jurisdiction: String
    public var consentTimestamp: Int
    public var collectionMethod: String
    public var consentReceiptID: String
    public var language: String
    public var piiPrincipalId: String
    public var piiControllers: [Controller]
    public var policyUrl: String
    public var services: [Service]
    public var sensitive: Bool
    public var spiCat: [String]
    public var purposeId: String
    public var consentStatus: String
    public var expressedBy: String
    public var noticeVersion: String?
    public var policyVersion: String

    public struct Controller: Codable, Sendable, Equatable {
        public var piiController: String
        public var contact: String
        public var address: String
        public var email: String
        public var phone: String
        public var onBehalf: Bool
    }

    public struct Service: Codable, Sendable, Equatable {
        public var service: String
        public var purposes: [ReceiptPurpose]
    }

    public struct ReceiptPurpose: Codable, Sendable, Equatable {
        public var purpose: String
        public var purposeCategory: [String]
        public var consentType: String
        public var piiCategory: [String]
        public var primaryPurpose: Bool
        public var termination: String
        public var thirdPartyDisclosure: Bool
    }

    /// The controller named on receipts; the operator configures its own in production.
    public static let demoController = Controller(
        piiController: "Example Telecom (demo operator)", contact: "Data Protection Officer",
        address: "1 Example Street, 10115 Berlin, DE", email: "dpo@operator.example", phone: "+49 30 0000000", onBehalf: false)

    public init(
        receiptID: String, customerID: String, purpose: Purpose, policy: Policy, status: ConsentStatus, method: String,
        expressedBy: String, language: String?, at: Date
    ) {
        jurisdiction = "EU"
        consentTimestamp = Int(at.timeIntervalSince1970)
        collectionMethod = method
        consentReceiptID = receiptID
        self.language = language ?? "en"
        piiPrincipalId = customerID
        piiControllers = [Self.demoController]
        policyUrl = "https://operator.example/privacy"
        let categories = purpose.categories.keys.sorted()
        services = [Service(service: "Consentry customer data hub", purposes: [ReceiptPurpose(
            purpose: purpose.description.text(for: language), purposeCategory: [purpose.dpvPurpose], consentType: "EXPLICIT",
            piiCategory: categories, primaryPurpose: true,
            termination: "until withdrawn" + (purpose.consent?.expiresAfter.map { ", at most \($0)" } ?? "")
                + "; data kept \(purpose.retention.period) after \(purpose.retention.from.rawValue)",
            thirdPartyDisclosure: false)])]
        sensitive = false
        spiCat = []
        purposeId = purpose.id
        consentStatus = status.rawValue
        self.expressedBy = expressedBy
        noticeVersion = purpose.noticeVersion
        policyVersion = policy.version
    }
}
