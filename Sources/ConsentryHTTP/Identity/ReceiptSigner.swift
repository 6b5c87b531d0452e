import ConsentryCore
import ConsentryCrypto
import ConsentryStore
import ConsentryUseCases
import Foundation
import JWTKit

/// Signs consent receipts as compact JWS (ES256) with the KEK-protected receipt key, and
/// publishes the public key as a JWKS so anyone can verify a receipt later.
public final class ReceiptSigner: ConsentReceiptSigning {
    let keys: JWTKeyCollection
    let publicKey: ES256PublicKey
    public static let keyID = "consentry-receipts-1"

    public static func make(keyManager: KeyManager) async throws -> ReceiptSigner {
        // jwt-kit takes the scalar as base64url text: that string is not wiped (SECURITY.md).
        let privateKey = try keyManager.receiptSigningKey.withTemporaryArray { raw in try ES256PrivateKey(key: Data(raw).base64EncodedString().base64URL) }
        let keys = JWTKeyCollection()
        await keys.add(ecdsa: privateKey, kid: JWKIdentifier(string: keyID))
        return ReceiptSigner(keys: keys, publicKey: privateKey.publicKey)
    }

    private init(keys: JWTKeyCollection, publicKey: ES256PublicKey) {
        self.keys = keys
        self.publicKey = publicKey
    }

    public func sign(_ receipt: ConsentReceipt) async throws -> String {
        try await keys.sign(receipt, kid: JWKIdentifier(string: Self.keyID))
    }

    /// `{"keys":[{"kty":"EC","crv":"P-256",...}]}`: what a verifier needs.
    public var jwks: JSONValue {
        let parameters = publicKey.parameters
        return .object([("keys", .array([.object([
            ("kty", .string("EC")), ("crv", .string("P-256")), ("use", .string("sig")), ("alg", .string("ES256")),
            ("kid", .string(Self.keyID)), ("x", .string(parameters?.x ?? "")), ("y", .string(parameters?.y ?? "")),
        ])]))])
    }
}

extension ConsentReceipt: JWTPayload {
    public func verify(using _: some JWTAlgorithm) async throws {}
}

extension String {
    /// Base64 to base64url without padding.
    var base64URL: String {
        replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}
