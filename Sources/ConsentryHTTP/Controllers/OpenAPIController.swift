import Foundation
import Hummingbird
import NIOCore

/// The OpenAPI 3.1 description of the server.
///
/// | route | auth | answers |
/// |---|---|---|
/// | `GET /openapi.yaml` | none | the document shipped in `Resources/openapi.yaml` |
struct OpenAPIController {
    static let document: [UInt8] = {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml"),
              let data = try? Data(contentsOf: url) else { return Array("openapi: 3.1.0\n".utf8) }
        return Array(data)
    }()

    func addRoutes(to router: Router<ConsentryRequestContext>) {
        router.get("openapi.yaml") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/yaml; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: Self.document)))
        }
    }
}
