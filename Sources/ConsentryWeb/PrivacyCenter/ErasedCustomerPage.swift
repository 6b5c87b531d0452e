import ConsentryCore
import ConsentryHTTP
import ConsentryStore
import Foundation
import Hummingbird

/// The customer of a session was erased (their own request, carried out by an officer).
struct ErasedCustomer: Error {
    var customerID: String
    var erasedAt: Date
}

/// Shows an erased customer, still signed in, that their erasure is done and how their
/// requests ended, then ends the session: there is nothing left to sign in to.
struct ErasedCustomerPage: RouterMiddleware {
    typealias Context = ConsentryRequestContext
    let controller: PrivacyCenterController

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let erased as ErasedCustomer {
            let format = WebFormat(WebLanguage.of(request))
            let requests = try await controller.requests.requests(customerID: erased.customerID).map { item in
                [
                    "type": format.text("request_type_\(item.type.rawValue)"), "status": format.text("request_status_\(item.status.rawValue)"),
                    "received": format.date(item.receivedAt), "closed": item.closedAt.map { format.date($0) } ?? "–",
                ]
            }
            var response = controller.renderer.page(
                "privacy-erased", ["erased_at": format.dateTime(erased.erasedAt), "requests": requests], language: format.language)
            try await controller.sessions.end(request, on: &response)
            return response
        }
    }
}
