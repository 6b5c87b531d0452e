/// Personal data must not reach logs, errors or test output by accident: printing a profile
/// (or anything that contains one, such as a `Customer`) shows its shape, never its values.
extension CustomerProfile: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String {
        "CustomerProfile(\(engagedParty.type.rawValue), \(contactMedium.count) contact media, \(engagedParty.identifications.count) identifications, values redacted)"
    }

    public var debugDescription: String { description }

    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}
