import Hummingbird

/// Routes mounted beside the JSON APIs that read their own kind of body and render their own
/// errors: the web pages, whose forms are `application/x-www-form-urlencoded` and whose
/// errors are pages. `buildRouter` adds them after the APIs; JSON body checks do not apply
/// under `pathPrefixes`.
public protocol HTTPSurface: Sendable {
    /// Path prefixes the surface owns, such as `/privacy`.
    var pathPrefixes: [String] { get }
    func addRoutes(to router: Router<ConsentryRequestContext>)
}
