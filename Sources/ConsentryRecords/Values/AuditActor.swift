/// Who did something, for the audit trail.
public struct AuditActor: Sendable, Equatable, Hashable, CustomStringConvertible {
    public var kind: Kind
    /// Module id, customer id, officer or operator name, or a system component.
    public var id: String

    public enum Kind: String, Sendable, CaseIterable, Codable {
        case module, customer, officer, `operator`, system
    }

    public init(_ kind: Kind, _ id: String) {
        self.kind = kind
        self.id = id
    }

    public var description: String { "\(kind.rawValue):\(id)" }
}
