import ConsentryCore
import ConsentryStore
import Hummingbird

/// The transparency log's public face under `/transparency/v1` (no authentication: it is
/// published so that anyone can check it, and it holds only hashes):
///
/// | Route | What |
/// |---|---|
/// | `GET head` | the newest signed tree head |
/// | `GET heads/{size}` | the head signed at that size |
/// | `GET consistency?from=&to=` | the proof that the tree of `to` entries extends the tree of `from`, with both heads |
/// | `GET jwks` | the Ed25519 key that signs the heads |
///
/// A customer's inclusion proofs are on `/self/v1/me/dashboard/access/{entry}/proof`.
struct TransparencyController {
    let log: TransparencyLog

    func addRoutes(to router: Router<ConsentryRequestContext>) {
        let group = router.group("transparency/v1")
        group.get("head", use: head)
        group.get("heads/{size}", use: headAt)
        group.get("consistency", use: consistency)
        group.get("jwks", use: jwks)
    }

    @Sendable func head(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        try PrivacyManagementController.only(request, [])
        guard let head = try await log.latestHead() else { throw ProblemDetails(status: .notFound, code: "not_found", detail: "the log is empty") }
        return Response.json(TransparencyDocuments.json(head, keyID: log.keyID))
    }

    @Sendable func headAt(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        try PrivacyManagementController.only(request, [])
        let size = try GuardedCustomerController.integer(context.parameters.get("size").map { Substring($0) }, name: "size", default: 0, range: 1...Int.max)
        guard let head = try await log.head(size: size) else {
            throw ProblemDetails(status: .notFound, code: "not_found", detail: "no head was signed at this size")
        }
        return Response.json(TransparencyDocuments.json(head, keyID: log.keyID))
    }

    @Sendable func consistency(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        try PrivacyManagementController.only(request, ["from", "to"])
        let query = request.uri.queryParameters
        guard let latest = try await log.latestHead() else { throw ProblemDetails(status: .notFound, code: "not_found", detail: "the log is empty") }
        guard query["from"] != nil, query["to"] != nil else {
            throw GuardedCustomerController.badParameter("give from and to, two tree sizes (see /transparency/v1/head)")
        }
        let from = try GuardedCustomerController.integer(query["from"], name: "from", default: 1, range: 1...latest.treeSize)
        let to = try GuardedCustomerController.integer(query["to"], name: "to", default: latest.treeSize, range: from...latest.treeSize)
        return Response.json(try await TransparencyDocuments.consistency(from: from, to: to, log: log))
    }

    @Sendable func jwks(_ request: Request, context: ConsentryRequestContext) async throws -> Response {
        Response.json(TransparencyDocuments.jwks(publicKey: log.publicKey))
    }
}
