/// Who is responsible for the processing (GDPR Art. 4(7)), as receipts and the record of
/// processing name them: from the policy's `controller` section, not from constants.
public struct ControllerIdentity: Sendable, Equatable {
    public var name: String
    public var address: String
    public var email: String
    public var phone: String
    /// The privacy notice customers are pointed to.
    public var policyURL: String
    public var dpo: DataProtectionOfficer
    /// Art. 30(1)(c): the kinds of people whose data is processed.
    public var dataSubjectCategories: [String]
    /// Art. 30(1)(e): transfers to third countries, with their safeguards.
    public var transfers: [Transfer]

    public struct DataProtectionOfficer: Sendable, Equatable {
        public var name: String
        public var email: String

        public init(name: String, email: String) {
            self.name = name
            self.email = email
        }
    }

    public struct Transfer: Sendable, Equatable {
        public var recipient: String
        public var country: String
        /// Art. 46 safeguard or Art. 45 adequacy decision.
        public var safeguard: String

        public init(recipient: String, country: String, safeguard: String) {
            self.recipient = recipient
            self.country = country
            self.safeguard = safeguard
        }
    }

    public init(
        name: String, address: String, email: String, phone: String, policyURL: String, dpo: DataProtectionOfficer,
        dataSubjectCategories: [String], transfers: [Transfer]
    ) {
        self.name = name
        self.address = address
        self.email = email
        self.phone = phone
        self.policyURL = policyURL
        self.dpo = dpo
        self.dataSubjectCategories = dataSubjectCategories
        self.transfers = transfers
    }

    /// What a policy without a `controller` section names: plainly a placeholder, so that no
    /// receipt claims an identity the operator did not configure.
    public static let unconfigured = ControllerIdentity(
        name: "(controller not configured: add Policies/controller.yaml)", address: "", email: "", phone: "", policyURL: "",
        dpo: DataProtectionOfficer(name: "", email: ""), dataSubjectCategories: ["customers"], transfers: [])
}
