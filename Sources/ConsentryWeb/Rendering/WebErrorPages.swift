import ConsentryHTTP
import HTTPTypes
import Hummingbird
import Logging

/// Turns what a page handler throws into a page: a redirect (`WebRedirect`), or the error
/// template with the status and a message safe to show. Unexpected errors are logged with
/// their type only (no personal data) and shown as a plain 500.
struct WebErrorPages: RouterMiddleware {
    typealias Context = ConsentryRequestContext
    let renderer: PageRenderer
    let template: String
    let signInPath: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let redirect as WebRedirect {
            return Response(status: .seeOther, headers: [.location: redirect.location])
        } catch {
            let page = WebPageError.from(error)
            if page.status == .internalServerError {
                context.logger.error("web page failed", metadata: ["error.type": "\(type(of: error))", "path": "\(request.uri.path)"])
            }
            let language = WebLanguage.of(request)
            let message = page.isKey ? (WebStrings.table(language)[page.message] ?? page.message) : page.message
            return renderer.page(
                template, ["status": Int(page.status.code), "message": message, "home": signInPath], language: language, status: page.status)
        }
    }
}
