/// The operator's OpenID Connect provider, for the privacy center's sign-in.
public struct OpenIDSettings: Sendable {
    /// The provider's issuer URL; its discovery document is at
    /// `<issuer>/.well-known/openid-configuration`, and ID tokens must carry it as `iss`.
    public var issuer: String
    /// Consentry's client id at the provider: ID tokens must carry it in `aud`.
    public var clientID: String
    /// A confidential client's secret (sent as `client_secret_post`); a public client relies
    /// on PKCE alone.
    public var clientSecret: String?
    /// Where the provider sends the browser back: `<public URL>/privacy/sign-in/callback`,
    /// registered at the provider.
    public var redirectURL: String
    public var scopes: [String]

    public init(issuer: String, clientID: String, clientSecret: String? = nil, redirectURL: String, scopes: [String] = ["openid"]) {
        self.issuer = issuer
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.redirectURL = redirectURL
        self.scopes = scopes
    }
}
