/// The compliance team's rules, as loaded from `Policies/`: data categories, which category
/// every customer field is, the purposes and the modules. Immutable; a reload makes a new one.
public struct Policy: Sendable, Equatable {
    /// A content hash of the source files; every decision and audit entry names it.
    public var version: String
    public var categories: [String: DataCategory]
    /// Every `PolicyField` → a category id. The loader guarantees the map is total.
    public var fieldCategories: [PolicyField: String]
    public var purposes: [String: Purpose]
    public var modules: [String: ModuleProfile]
    /// Below it a customer is a minor: a guardian acts for them (`minors.ageOfMajority`).
    public var ageOfMajority: Int
    /// The category a module's `update` grant must include to change a customer's status.
    public var statusCategory: String

    /// The jurisdictions the policy declares; a policy without them has `Jurisdiction.gdprDefault`.
    public private(set) var jurisdictions: [String: Jurisdiction]
    /// The jurisdiction of a customer whose data names none the policy knows.
    public var defaultJurisdiction: String
    public var controller: ControllerIdentity
    /// Region code → jurisdiction id, built once: resolving a customer's law is a lookup on
    /// the read path, not a scan.
    private var regionIndex: [String: String]

    public static let defaultAgeOfMajority = 18

    public init(
        version: String, categories: [String: DataCategory], fieldCategories: [PolicyField: String],
        purposes: [String: Purpose], modules: [String: ModuleProfile], ageOfMajority: Int = Policy.defaultAgeOfMajority,
        statusCategory: String = "user.account.status", jurisdictions: [Jurisdiction] = [Jurisdiction.gdprDefault],
        defaultJurisdiction: String? = nil, controller: ControllerIdentity = .unconfigured
    ) {
        let jurisdictions = jurisdictions.isEmpty ? [Jurisdiction.gdprDefault] : jurisdictions
        let byID = Dictionary(jurisdictions.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        self.jurisdictions = byID
        var index: [String: String] = [:]
        for jurisdiction in jurisdictions.sorted(by: { $0.id < $1.id }) {
            for region in jurisdiction.regions where index[region] == nil { index[region] = jurisdiction.id }
        }
        regionIndex = index
        self.defaultJurisdiction = defaultJurisdiction.flatMap { byID[$0] != nil ? $0 : nil } ?? jurisdictions[0].id
        self.controller = controller
        self.statusCategory = statusCategory
        self.ageOfMajority = ageOfMajority
        self.version = version
        self.categories = categories
        self.fieldCategories = fieldCategories
        self.purposes = purposes
        self.modules = modules
    }

    /// The jurisdiction whose law covers a customer living at `residence`: the one their data
    /// names, else the one listing their region (`US-CA`), else their country, else the default.
    public func jurisdiction(for residence: Residence) -> Jurisdiction {
        if let declared = residence.declared, let named = jurisdictions[declared] { return named }
        if let region = residence.region {
            if let id = regionIndex[region] ?? regionIndex[String(region.prefix(2))], let found = jurisdictions[id] { return found }
        }
        return jurisdictions[defaultJurisdiction] ?? .gdprDefault
    }

    /// The age of majority in `jurisdiction`.
    public func ageOfMajority(in jurisdiction: Jurisdiction) -> Int {
        jurisdiction.ageOfMajority ?? ageOfMajority
    }

    /// The category of `field`. Total by construction (see `PolicyLoader`).
    public func category(of field: PolicyField) -> String {
        fieldCategories[field] ?? "unmapped"
    }
}
