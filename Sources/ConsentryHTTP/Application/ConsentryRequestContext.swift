import ConsentryCore
import ConsentryStore
import Hummingbird

/// Per-request state shared by middleware and handlers: the request id (for the audit
/// trail) and the authenticated principal, if any.
public struct ConsentryRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var requestID = ""
    public var principal: Principal?
    /// The signed-in customer on `/self` routes, decrypted only as a route needs it.
    public var signedIn: SignedInCustomer?

    public init(source: Source) {
        coreContext = .init(source: source)
    }

    /// Request bodies are small JSON documents; anything larger is refused with 413.
    public var maxUploadSize: Int { 64 * 1024 }
}
