import JWTKit

/// The claims Consentry reads from a customer's token: who (`sub`, the login subject at the
/// operator's identity provider), issued by whom, for whom, until when.
struct CustomerClaims: JWTPayload {
    var sub: SubjectClaim
    var iss: IssuerClaim
    var aud: AudienceClaim
    var exp: ExpirationClaim
    var iat: IssuedAtClaim?
    var nbf: NotBeforeClaim?
    /// OpenID Connect's `nonce`, in an ID token: ties it to the sign-in that asked for it.
    var nonce: String?

    func verify(using _: some JWTAlgorithm) async throws {
        try exp.verifyNotExpired()
    }
}
