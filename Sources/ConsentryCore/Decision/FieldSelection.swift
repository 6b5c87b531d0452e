/// The attributes a caller asked for with TM Forum's `fields=` (comma separated), or all.
///
/// Names are top-level attributes (`contactMedium`, `engagedParty`) or policy fields
/// (`contactMedium.email`, `engagedParty.birthDate`). On a party resource the party's own
/// attributes go without the `engagedParty.` prefix (`givenName`).
public struct FieldSelection: Sendable, Equatable {
    /// `nil`: everything.
    public var names: Set<String>?

    public static let all = FieldSelection(names: nil)

    public static let administrative: Set<String> = ["id", "href", "@type", "externalId", "status", "version", "createdAt", "updatedAt"]
    static let topLevel: Set<String> = ["engagedParty", "contactMedium", "characteristic", "relatedParty", "loginSubject"]

    public struct UnknownField: Error, Equatable {
        public var name: String
    }

    /// - Throws: `UnknownField` naming the first attribute that does not exist.
    public init(parameter: String?, partyResource: Bool = false) throws(UnknownField) {
        guard let parameter, !parameter.isEmpty else { names = nil; return }
        var names = Set<String>()
        for raw in parameter.split(separator: ",") {
            var name = String(raw).trimmedWhitespace
            if partyResource, PolicyField(rawValue: "engagedParty." + name) != nil { name = "engagedParty." + name }
            guard Self.administrative.contains(name) || Self.topLevel.contains(name) || PolicyField(rawValue: name) != nil else {
                throw UnknownField(name: name)
            }
            names.insert(name)
        }
        self.names = names
    }

    init(names: Set<String>?) { self.names = names }

    /// Whether the plain attribute `name` (id, status...) is wanted.
    public func includes(_ name: String) -> Bool {
        guard let names else { return true }
        return name == "id" || name == "href" || name == "@type" || names.contains(name)
    }

    /// The policy fields asked for, among those a party of `type` can have.
    public func policyFields(for type: PartyType) -> [PolicyField] {
        PolicyField.applicable(to: type).filter { field in
            guard let names else { return true }
            return names.contains(field.rawValue) || names.contains(field.topLevelAttribute)
        }
    }
}
