public import ConsentryCore

/// Signs a consent receipt as a compact JWS (the HTTP adapter's `ReceiptSigner`: ES256 with
/// the KEK-protected receipt key, published as a JWKS).
public protocol ConsentReceiptSigning: Sendable {
    func sign(_ receipt: ConsentReceipt) async throws -> String
}
