/// The tamper-evident record of every decision and change. An entry is durable when
/// `record` returns: a response that depends on it is sent only then.
public protocol AuditTrail: Sendable {
    func record(_ events: [AuditEvent]) async throws
}

extension AuditTrail {
    public func record(_ event: AuditEvent) async throws {
        try await record([event])
    }
}
