import ConsentryCore
import ConsentryCrypto
import ConsentryStore
import Foundation
import JWTKit

/// Signs consent receipts as compact JWS (ES256) with the KEK-protected receipt key, and
/// publishes the public key as a JWKS so anyone can verify a receipt later.
public final class ReceiptSigner: Sendable {
    let keys: JWTKeyCollection
    let publicKey: ES256PublicKey
    public static let keyID = "consentry-receipts-1"

    public static func make(keyManager: KeyManager) async throws -> ReceiptSigner {
        let raw = keyManager.receiptSigningKey.withUnsafeBytes { Array($0) }
        let privateKey = try ES256PrivateKey(key: Data(raw).base64EncodedString().base64URL)
        let keys = JWTKeyCollection()
        await keys.add(ecdsa: privateKey, kid: JWKIdentifier(string: keyID))
        return ReceiptSigner(keys: keys, publicKey: privateKey.publicKey)
    }

    private init(keys: JWTKeyCollection, publicKey: ES256PublicKey) {
        self.keys = keys
        self.publicKey = publicKey
    }

    public func sign(_ receipt: ConsentReceipt) async throws -> String {
        try await keys.sign(receipt, kid: JWKIdentifier(string: Self.keyID))
    }

    /// `{"keys":[{"kty":"EC","crv":"P-256",...}]}`: what a verifier needs.
    public var jwks: JSONValue {
        let parameters = publicKey.parameters
        return .object([("keys", .array([.object([
            ("kty", .string("EC")), ("crv", .string("P-256")), ("use", .string("sig")), ("alg", .string("ES256")),
            ("kid", .string(Self.keyID)), ("x", .string(parameters?.x ?? "")), ("y", .string(parameters?.y ?? "")),
        ])]))])
    }
}

/// A consent receipt with the ISO/IEC TS 27560 / Kantara Consent Receipt v1.1 fields, plus
/// Consentry's own (`purposeId`, `consentStatus`, `noticeVersion`, `policyVersion`). It names
/// the customer by id only.
public struct ConsentReceipt: JWTPayload, Equatable {
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

    public func verify(using _: some JWTAlgorithm) async throws {}

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

extension String {
    /// Base64 to base64url without padding.
    var base64URL: String {
        replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}
