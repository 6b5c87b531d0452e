import Foundation

/// A consent receipt: the ISO/IEC TS 27560 consent record (`iso27560`, with the DPV terms the
/// W3C DPVCG's 27560 profile uses) beside the Kantara Consent Receipt v1.1 fields older
/// verifiers read, plus Consentry's own (`purposeId`, `consentStatus`, `noticeVersion`,
/// `policyVersion`). The controller, its policy URL and the jurisdiction come from the
/// policy and the customer's data, never from constants. It names the customer by id only.
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
    /// The purpose, or for an opt-out the right (`sale-sharing`).
    public var purposeId: String
    /// `given`, `refused`, `withdrawn`; for an opt-out `opted_out` or `opted_in`.
    public var consentStatus: String
    public var expressedBy: String
    public var noticeVersion: String?
    public var policyVersion: String
    public var iso27560: Record

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

    /// The ISO/IEC TS 27560 record: header, processing, parties and the consent event.
    public struct Record: Codable, Sendable, Equatable {
        public var schemaVersion = "dpv-27560:receipt-record"
        public var recordId: String
        public var dataSubject: String
        public var creationTimestamp: String
        public var processing: [Processing]
        public var dataController: Party
        public var dataProtectionOfficer: Party
        public var notice: Notice
        public var event: Event

        public struct Processing: Codable, Sendable, Equatable {
            public var purposeId: String
            public var purpose: String
            public var description: String
            public var legalBasis: String
            public var personalData: [String]
            public var jurisdiction: String
            public var law: String
            public var automatedDecisionMaking: Bool
        }

        public struct Party: Codable, Sendable, Equatable {
            public var name: String
            public var email: String
            public var address: String?
        }

        public struct Notice: Codable, Sendable, Equatable {
            public var version: String?
            public var url: String
            public var language: String
        }

        public struct Event: Codable, Sendable, Equatable {
            /// DPV consent status: `dpv:ConsentGiven`, `dpv:ConsentRefused`, `dpv:ConsentWithdrawn`,
            /// or for an opt-out `dpv:ConsentWithdrawn` (opted out) and `dpv:ConsentGiven` (opted back in).
            public var state: String
            public var time: String
            public var method: String
            public var actor: String
        }
    }

    /// What the receipt is for: a consent to one purpose, or an opt-out right and the purposes
    /// it covers in the customer's jurisdiction.
    public enum Subject: Sendable {
        case consent(Purpose, ConsentStatus)
        case optOut(OptOutRight, optedOut: Bool, covering: [Purpose])
    }

    public init(
        receiptID: String, customerID: String, subject: Subject, policy: Policy, jurisdiction: Jurisdiction, method: String,
        expressedBy: String, language: String?, at: Date
    ) {
        let controller = policy.controller
        let language = language ?? "en"
        let purposes: [Purpose]
        let state: String
        let dpvState: String
        switch subject {
        case .consent(let purpose, let status):
            purposes = [purpose]
            purposeId = purpose.id
            state = status.rawValue
            dpvState = ["given": "dpv:ConsentGiven", "refused": "dpv:ConsentRefused", "withdrawn": "dpv:ConsentWithdrawn"][status.rawValue]!
            noticeVersion = purpose.noticeVersion
        case .optOut(let right, let optedOut, let covering):
            purposes = covering
            purposeId = right.rawValue
            state = optedOut ? "opted_out" : "opted_in"
            dpvState = optedOut ? "dpv:ConsentWithdrawn" : "dpv:ConsentGiven"
            noticeVersion = nil
        }
        self.jurisdiction = jurisdiction.id
        consentTimestamp = Int(at.timeIntervalSince1970)
        collectionMethod = method
        consentReceiptID = receiptID
        self.language = language
        piiPrincipalId = customerID
        piiControllers = [Controller(
            piiController: controller.name, contact: controller.dpo.name, address: controller.address, email: controller.email,
            phone: controller.phone, onBehalf: false)]
        policyUrl = controller.policyURL
        let optOut: Bool = if case .optOut = subject { true } else { false }
        services = [Service(service: "Consentry customer data hub", purposes: purposes.map { purpose in
            ReceiptPurpose(
                purpose: purpose.description.text(for: language), purposeCategory: [purpose.dpvPurpose],
                consentType: optOut ? "OPT-OUT" : "EXPLICIT", piiCategory: purpose.categories.keys.sorted(), primaryPurpose: true,
                termination: (optOut ? "until the customer opts out" : "until withdrawn")
                    + (purpose.consent?.expiresAfter.map { ", at most \($0)" } ?? "")
                    + "; data kept \(purpose.retention.period) after \(purpose.retention.from.rawValue)",
                thirdPartyDisclosure: optOut)
        })]
        sensitive = false
        spiCat = []
        consentStatus = state
        self.expressedBy = expressedBy
        policyVersion = policy.version
        let time = ISOTimestamp.format(at)
        iso27560 = Record(
            recordId: receiptID, dataSubject: customerID, creationTimestamp: time,
            processing: purposes.map { purpose in
                Record.Processing(
                    purposeId: purpose.id, purpose: purpose.dpvPurpose, description: purpose.description.text(for: language),
                    legalBasis: optOut ? "dpv:OptOutConsent" : "dpv:Consent", personalData: purpose.categories.keys.sorted(),
                    jurisdiction: jurisdiction.id, law: jurisdiction.law, automatedDecisionMaking: purpose.automatedDecision != nil)
            },
            dataController: Record.Party(name: controller.name, email: controller.email, address: controller.address),
            dataProtectionOfficer: Record.Party(name: controller.dpo.name, email: controller.dpo.email, address: nil),
            notice: Record.Notice(version: noticeVersion, url: controller.policyURL, language: language),
            event: Record.Event(state: dpvState, time: time, method: method, actor: expressedBy))
    }
}
