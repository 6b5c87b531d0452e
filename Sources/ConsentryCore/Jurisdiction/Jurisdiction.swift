import Foundation

/// A body of data-protection law the policy declares (`jurisdictions` in `Policies/`): the
/// rights it grants and how fast each must be answered, the purposes that run until the
/// customer opts out rather than after they opt in, its ages for minors, and how soon a
/// breach must reach the supervisory authority. A customer's jurisdiction comes from their
/// data (`Residence`); decisions, due dates, receipts and reports follow it.
public struct Jurisdiction: Sendable, Equatable {
    /// Policy id, such as `eu-gdpr` or `us-ca-cpra`.
    public var id: String
    public var name: String
    /// The law, as reports cite it ("Regulation (EU) 2016/679 (GDPR)").
    public var law: String
    /// ISO 3166-1 alpha-2 countries and ISO 3166-2 subdivisions (`US-CA`) whose residents it covers.
    public var regions: [String]
    /// The authority breaches are reported to, and complaints go to.
    public var supervisoryAuthority: String
    /// The request types it grants, each with its deadline. A type not listed cannot be filed.
    public var rights: [DataSubjectRequest.RequestType: Deadline]
    /// Opt-out rights (CPRA "do not sell or share", "limit sensitive personal information").
    public var optOuts: [OptOutRight: OptOutRule]
    /// Below it a guardian acts for a customer; `nil`: the policy's `minors.ageOfMajority`.
    public var ageOfMajority: Int?
    /// Below it consent must come from a guardian; `nil`: each purpose's own age.
    public var consentAge: Int?
    /// How long after discovering a breach the authority must be told; `nil`: no fixed clock.
    public var breachNotification: ISODuration?

    /// How long a request may take, and by how much more it may be extended (with a reason).
    public struct Deadline: Sendable, Equatable {
        public var period: ISODuration
        public var extensionLimit: ISODuration?

        public init(period: ISODuration, extensionLimit: ISODuration?) {
            self.period = period
            self.extensionLimit = extensionLimit
        }

        /// GDPR Art. 12(3): one month, extendable by two.
        public static let gdpr = Deadline(period: ISODuration("P1M")!, extensionLimit: ISODuration("P2M")!)
    }

    /// The purposes an opt-out right stops, and whether a Global Privacy Control signal
    /// (`Sec-GPC: 1`) exercises it here.
    public struct OptOutRule: Sendable, Equatable {
        public var purposes: Set<String>
        public var honoursGPC: Bool

        public init(purposes: Set<String>, honoursGPC: Bool) {
            self.purposes = purposes
            self.honoursGPC = honoursGPC
        }
    }

    public init(
        id: String, name: String, law: String, regions: [String], supervisoryAuthority: String,
        rights: [DataSubjectRequest.RequestType: Deadline], optOuts: [OptOutRight: OptOutRule] = [:], ageOfMajority: Int? = nil,
        consentAge: Int? = nil, breachNotification: ISODuration? = nil
    ) {
        self.id = id
        self.name = name
        self.law = law
        self.regions = regions
        self.supervisoryAuthority = supervisoryAuthority
        self.rights = rights
        self.optOuts = optOuts
        self.ageOfMajority = ageOfMajority
        self.consentAge = consentAge
        self.breachNotification = breachNotification
    }

    /// What a policy without a `jurisdictions` section means: the GDPR, every right with its
    /// Art. 12(3) deadline, 72 hours to tell the authority (Art. 33). Consentry's behaviour
    /// before jurisdictions existed, unchanged.
    public static let gdprDefault = Jurisdiction(
        id: "eu-gdpr", name: "European Union and EEA", law: "Regulation (EU) 2016/679 (GDPR)", regions: [],
        supervisoryAuthority: "the lead supervisory authority",
        rights: Dictionary(uniqueKeysWithValues: DataSubjectRequest.RequestType.allCases.map { ($0, Deadline.gdpr) }),
        breachNotification: ISODuration("PT72H"))

    /// The opt-out right that makes `purpose` run on opt-out here, if any.
    public func optOut(covering purpose: String) -> OptOutRight? {
        OptOutRight.allCases.first { optOuts[$0]?.purposes.contains(purpose) ?? false }
    }

    /// The opt-outs a `Sec-GPC: 1` signal exercises here.
    public var gpcOptOuts: [OptOutRight] {
        OptOutRight.allCases.filter { optOuts[$0]?.honoursGPC ?? false }
    }

    /// The consent age that applies to `purpose` here (Art. 8 and its equivalents).
    public func consentAge(for purpose: Purpose) -> Int? {
        consentAge ?? purpose.consent?.guardianRequiredUnderAge
    }
}

/// A right to stop a kind of processing without giving a reason (CCPA/CPRA § 1798.120, § 1798.121).
public enum OptOutRight: String, Sendable, CaseIterable, Codable, Comparable {
    /// "Do not sell or share my personal information".
    case saleOrSharing = "sale-sharing"
    /// "Limit the use of my sensitive personal information".
    case limitSensitive = "limit-sensitive"

    /// The key under which the customer's current opt-out is kept beside their consents.
    public var stateKey: String { "opt-out:" + rawValue }

    public init?(stateKey: String) {
        guard stateKey.hasPrefix("opt-out:") else { return nil }
        self.init(rawValue: String(stateKey.dropFirst("opt-out:".count)))
    }

    public var reason: ReasonCode {
        switch self {
        case .saleOrSharing: .optedOutOfSaleOrSharing
        case .limitSensitive: .sensitiveUseLimited
        }
    }

    public var title: LocalizedText {
        switch self {
        case .saleOrSharing: LocalizedText(["en": "Do not sell or share my personal information", "de": "Meine personenbezogenen Daten nicht verkaufen oder weitergeben"])
        case .limitSensitive: LocalizedText(["en": "Limit the use of my sensitive personal information", "de": "Die Nutzung meiner sensiblen Daten beschränken"])
        }
    }

    public static func < (lhs: OptOutRight, rhs: OptOutRight) -> Bool { lhs.rawValue < rhs.rawValue }
}
