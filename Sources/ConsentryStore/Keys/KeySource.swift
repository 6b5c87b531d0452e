import ConsentryCrypto
import Foundation

/// Where the key-encryption keys come from: the `CONSENTRY_KEK` environment variable when
/// set, otherwise a key file.
///
/// `CONSENTRY_KEK` lists versions as `1:<base64>,2:<base64>`; the highest is active.
public enum KeySource: Sendable {
    case environment(String)
    case file(KeyFile)

    public static let environmentVariable = "CONSENTRY_KEK"

    /// The environment variable if set, else the key file at `keyFilePath`.
    public static func resolve(keyFilePath: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> KeySource {
        if let value = environment[environmentVariable], !value.isEmpty { return .environment(value) }
        return .file(KeyFile(path: keyFilePath))
    }

    public func load() throws -> KeyRing {
        switch self {
        case .file(let file): return try file.load()
        case .environment(let value): return try Self.parse(value)
        }
    }

    /// Saves a changed ring; keys from the environment are managed where they are set.
    public func save(_ ring: KeyRing) throws {
        switch self {
        case .file(let file): try file.save(ring)
        case .environment: throw KeyError.keysFromEnvironment
        }
    }

    public var label: String {
        switch self {
        case .file(let file): "file \(file.path)"
        case .environment: "environment variable \(Self.environmentVariable)"
        }
    }

    static func parse(_ value: String) throws -> KeyRing {
        var keys: [UInt32: SecureBytes] = [:]
        for item in value.split(separator: ",") {
            let parts = item.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, let version = UInt32(parts[0].trimmingCharacters(in: .whitespaces)), version > 0,
                  let bytes = Data(base64Encoded: String(parts[1]).trimmingCharacters(in: .whitespaces)), bytes.count == AES.GCM.keyByteCount
            else { throw KeyError.malformedEnvironmentKey(reason: "expected VERSION:BASE64 entries of 32-byte keys, comma-separated") }
            keys[version] = SecureBytes(copying: bytes)
        }
        guard let active = keys.keys.max() else { throw KeyError.malformedEnvironmentKey(reason: "no key") }
        return try KeyRing(keys: keys, activeVersion: active)
    }
}
