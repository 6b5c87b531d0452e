/// What a piece of personal data is, named after fideslang where a name fits
/// (`user.contact.email`, `user.name`, `user.government_id`...).
public struct DataCategory: Sendable, Equatable, Hashable {
    public var id: String
    public var description: String

    public init(id: String, description: String) {
        self.id = id
        self.description = description
    }
}
