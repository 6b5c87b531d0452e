/// Where one personal value is stored, as the vault names its ciphertext and binds it (as
/// associated data) to the customer: a scalar field (`engagedParty.givenName`,
/// `loginSubject`) or an item of a list (`contactMedium.2`, `relatedParty.0`).
///
/// `PersonalFieldCodec` is the only producer; everything else reads paths, maps them to
/// policy fields (`PolicyField(storedPath:)`) or passes them on.
public struct StoredFieldPath: RawRepresentable, Hashable, Sendable, Comparable, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }

    /// A scalar field: stored under the policy field's own name.
    init(scalar field: PolicyField) { rawValue = field.rawValue }

    /// Item `key` of the list `list` (`contactMedium` items by medium id, the others by position).
    init(item key: some CustomStringConvertible, of list: String) { rawValue = "\(list).\(key)" }

    /// Whether this is an item of `list` (`contactMedium`, `relatedParty`...).
    public func isItem(of list: String) -> Bool { rawValue.hasPrefix(list + ".") }

    public var description: String { rawValue }

    public static func < (a: StoredFieldPath, b: StoredFieldPath) -> Bool { a.rawValue < b.rawValue }
}
