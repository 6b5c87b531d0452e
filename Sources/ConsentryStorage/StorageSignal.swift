/// A change one server (or the CLI) makes that every other server must act on at once.
///
/// On PostgreSQL a signal is a `NOTIFY` sent with the transaction that made the change, so
/// it reaches every listening server when (and only if) the change commits. SQLite has no
/// other servers; there the CLI's changes reach the server by SIGHUP or cache expiry.
public enum StorageSignal: String, Sendable, CaseIterable {
    /// KEKs were rotated or retired: re-read the key source.
    case keysChanged = "keys"
    /// An operator reloaded the policy: re-read `Policies/`.
    case policyReloaded = "policy"
    /// An API key was revoked: forget verified keys.
    case apiKeyRevoked = "api_key"
}
