internal import CLibCrypto

/// A failure in a cryptographic operation.
///
/// Descriptions never carry key material or plaintext: only the operation, a stable code and,
/// for library failures, the reason strings from OpenSSL's error queue.
public enum CryptoError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The tag did not verify: wrong key, wrong associated data, or modified bytes.
    case authenticationFailure
    /// The envelope is too short or names a format this build does not know.
    case malformedEnvelope(reason: String)
    /// The envelope names a key version that is not loaded (unknown, or retired).
    case unknownKeyVersion(UInt32)
    /// A key of the wrong length was supplied.
    case invalidKeyLength(expected: Int, actual: Int)
    /// An invalid argument (nonce length, output length...).
    case invalidArgument(String)
    /// OpenSSL reported an error; `detail` is its error queue, drained.
    case library(operation: String, detail: String)

    public var description: String {
        switch self {
        case .authenticationFailure: "ciphertext failed authentication (wrong key, wrong context or tampered bytes)"
        case .malformedEnvelope(let reason): "malformed ciphertext envelope: \(reason)"
        case .unknownKeyVersion(let version): "key version \(version) is not available"
        case .invalidKeyLength(let expected, let actual): "key must be \(expected) bytes, got \(actual)"
        case .invalidArgument(let reason): "invalid argument: \(reason)"
        case .library(let operation, let detail): "OpenSSL \(operation) failed: \(detail)"
        }
    }

    /// Builds a `.library` error from OpenSSL's thread-local error queue, emptying it.
    static func openSSL(_ operation: String) -> CryptoError {
        var reasons: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            reasons.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return .library(operation: operation, detail: reasons.isEmpty ? "no detail in error queue" : reasons.joined(separator: "; "))
    }
}
