/// The full JSON form of a stored customer: the administrative attributes next to the
/// profile keys, which is also the import form plus read-only attributes (so an export can
/// be imported again).
extension Customer: Encodable {
    enum CodingKeys: String, CodingKey { case id, externalId, status, version, createdAt, updatedAt }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encodeIfPresent(externalId, forKey: .externalId)
        try c.encode(status, forKey: .status)
        try c.encode(version, forKey: .version)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(updatedAt, forKey: .updatedAt)
        try profile.encode(to: encoder)
    }
}
