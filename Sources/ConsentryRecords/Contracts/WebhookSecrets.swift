public import ConsentryCrypto

/// The secrets that sign event deliveries: derived per subscription from a key the
/// installation holds, shown to the module once, never stored.
public protocol WebhookSecrets: Sendable {
    func webhookSecret(subscriptionID: String) throws -> SecureBytes
}
