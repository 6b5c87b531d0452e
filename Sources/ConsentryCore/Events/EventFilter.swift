/// A subscription's `query` (TMF hub): which events a subscriber wants.
///
/// `eventType=PartyPrivacyProfileAttributeValueChangeEvent,CustomerDeleteEvent&purpose=direct-marketing`
/// matches events of either type that concern that purpose. Event types are the TMF names
/// (`PrivacyEvent.tmfEventType`) or the first release's (`ConsentChangeEvent`...). Terms joined by `&` must all hold; the
/// values of one term, separated by commas, are alternatives. An empty query matches every
/// event the subscriber may see.
public struct EventFilter: Sendable, Equatable {
    /// TMF or first-release names.
    public var eventTypes: Set<String>?
    public var purposes: Set<String>?

    public static let everything = EventFilter(eventTypes: nil, purposes: nil)

    public init(eventTypes: Set<String>?, purposes: Set<String>?) {
        self.eventTypes = eventTypes
        self.purposes = purposes
    }

    /// - Throws: `EventFilterError` naming the bad term.
    public init(query: String) throws(EventFilterError) {
        self = .everything
        var seen: Set<Substring> = []
        for term in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = term.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2 else { throw EventFilterError("'\(term)' is not key=value") }
            let key = parts[0]
            let values = parts[1].split(separator: ",").map(String.init)
            guard !values.isEmpty else { throw EventFilterError("\(key) needs at least one value") }
            guard seen.insert(key).inserted else { throw EventFilterError("\(key) appears twice; list the alternatives with commas") }
            switch key {
            case "eventType":
                for value in values where !PrivacyEvent.knownNames.contains(value) {
                    throw EventFilterError("unknown eventType \(value); known: \(PrivacyEvent.knownNames.joined(separator: ", "))")
                }
                eventTypes = Set(values)
            case "purpose", "event.purpose":
                purposes = Set(values)
            default:
                throw EventFilterError("unknown query key \(key); use eventType and purpose")
            }
        }
    }

    /// Customer-wide events (no purpose) match a purpose filter: a restriction or an erasure
    /// concerns every purpose a subscriber serves.
    /// An opt-out matches a filter on any purpose it covers (given `policy`), or on the right itself.
    public func matches(_ event: PrivacyEvent, policy: Policy? = nil) -> Bool {
        if let eventTypes, !eventTypes.contains(event.tmfEventType), !eventTypes.contains(event.type.rawValue) { return false }
        if let purposes, let purpose = event.purpose, !purposes.contains(purpose),
            purposes.isDisjoint(with: event.concernedPurposes(policy: policy, purpose: purpose))
        {
            return false
        }
        return true
    }
}

public struct EventFilterError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
