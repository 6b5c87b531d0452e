internal import CLibCrypto

/// The OpenSSL 3 implementations Consentry uses, fetched once from the default provider.
///
/// `EVP_aes_256_gcm()` and `EVP_sha256()` are legacy handles: OpenSSL 3 fetches the
/// implementation behind them again at every init (a provider lookup under a lock), which
/// showed up at about 4 % of a guarded read's CPU. Fetched objects are immutable and
/// reference-counted, safe to share between threads, and kept for the process's life.
enum FetchedAlgorithms {
    nonisolated(unsafe) static let aes256GCM: OpaquePointer = EVP_CIPHER_fetch(nil, "AES-256-GCM", nil) ?? EVP_aes_256_gcm()
    nonisolated(unsafe) static let sha256: OpaquePointer = EVP_MD_fetch(nil, "SHA256", nil) ?? EVP_sha256()
}
