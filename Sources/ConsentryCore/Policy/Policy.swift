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

    public static let defaultAgeOfMajority = 18

    public init(
        version: String, categories: [String: DataCategory], fieldCategories: [PolicyField: String],
        purposes: [String: Purpose], modules: [String: ModuleProfile], ageOfMajority: Int = Policy.defaultAgeOfMajority,
        statusCategory: String = "user.account.status"
    ) {
        self.statusCategory = statusCategory
        self.ageOfMajority = ageOfMajority
        self.version = version
        self.categories = categories
        self.fieldCategories = fieldCategories
        self.purposes = purposes
        self.modules = modules
    }

    /// The category of `field`. Total by construction (see `PolicyLoader`).
    public func category(of field: PolicyField) -> String {
        fieldCategories[field] ?? "unmapped"
    }
}
