import ConsentryCore
import ConsentryStore
import ConsentryUseCases
import Hummingbird

extension PurposeGate {
    /// Opens a module call through the purpose gate, with the purpose the module declared in
    /// `X-Purpose`.
    func open(
        _ request: Request, _ context: ConsentryRequestContext, operation: ModuleOperation, customerID: String? = nil
    ) async throws -> ModuleCall {
        guard let principal = context.principal else { throw ApiKeyAuthenticator.unauthorized("no credential") }
        return try await open(
            module: principal.id, purpose: request.headers[.purpose], operation: operation, requestID: context.requestID, customerID: customerID)
    }
}
