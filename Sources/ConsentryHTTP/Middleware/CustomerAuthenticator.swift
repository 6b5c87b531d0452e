import ConsentryCore
import ConsentryStore
import Hummingbird

/// Requires a customer bearer token on `/self`: verified by `CustomerTokenVerifier`, then its
/// subject is found through the login-subject blind index (confirmed by decrypting the login
/// subject alone; each route decrypts what it needs of the rest). The
/// customer is taken from the token only: no route takes a customer id, so no request can
/// name another customer.
struct CustomerAuthenticator: RouterMiddleware {
    typealias Context = ConsentryRequestContext
    let verifier: CustomerTokenVerifier?
    let customers: EncryptedCustomerStore

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let verifier else { throw ApiKeyAuthenticator.unauthorized("customer sign-in is not configured on this server") }
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer "), header.count > 7 else {
            throw ApiKeyAuthenticator.unauthorized("send your sign-in token as Authorization: Bearer <token>")
        }
        let subject: String
        do { subject = try await verifier.subject(of: String(header.dropFirst(7))) } catch let error as CustomerTokenVerifier.Rejected {
            throw ApiKeyAuthenticator.unauthorized(error.reason)
        }
        guard let signedIn = try await customers.signIn(subject: subject) else {
            throw ApiKeyAuthenticator.unauthorized("no customer account is linked to this sign-in")
        }
        var context = context
        context.signedIn = signedIn
        return try await next(request, context)
    }
}
