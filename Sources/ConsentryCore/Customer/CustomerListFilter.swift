/// Which customers a list page holds (TMF630 attribute filtering): equality on attributes
/// that are not personal data, the party type and the status. Personal attributes are found
/// by exact search through the blind index, never by a filter.
public struct CustomerListFilter: Sendable, Equatable {
    public var partyType: PartyType?
    public var status: CustomerStatus?

    public static let all = CustomerListFilter()

    public init(partyType: PartyType? = nil, status: CustomerStatus? = nil) {
        self.partyType = partyType
        self.status = status
    }
}
