import Foundation
import Hummingbird
import HTTPTypes
import Logging

/// Gives every response an `X-Request-Id` (the caller's if it sent a sane one), so a client
/// report can be matched with the server's log and, later, the audit trail.
struct RequestIDMiddleware: RouterMiddleware {
    typealias Context = ConsentryRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let supplied = request.headers[.requestID].flatMap { value in
            value.count <= 64 && value.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") } ? value : nil
        }
        let id = supplied ?? UUID().uuidString.lowercased()
        var context = context
        context.logger[metadataKey: "request.id"] = .string(id)
        context.requestID = id
        var response = try await next(request, context)
        response.headers[.requestID] = id
        return response
    }
}

extension HTTPField.Name {
    static let requestID = Self("X-Request-Id")!
}
