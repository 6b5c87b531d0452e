import Foundation
import Hummingbird
import NIOCore

/// The OpenAPI 3.1 description of the server.
///
/// | route | auth | answers |
/// |---|---|---|
/// | `GET /openapi.yaml` | none | the document shipped in `Resources/openapi.yaml` |
/// | `GET /schemas/consentry-tmf-extensions.json` | none | the JSON Schema of Consentry's additions to the TMF resources, named by their `@schemaLocation` |
struct OpenAPIController {
    static let document: [UInt8] = {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml"),
              let data = try? Data(contentsOf: url) else { return Array("openapi: 3.1.0\n".utf8) }
        return Array(data)
    }()

    static let extensionsSchema: [UInt8] = {
        guard let url = Bundle.module.url(forResource: "consentry-tmf-extensions", withExtension: "json"),
              let data = try? Data(contentsOf: url) else { return Array("{}".utf8) }
        return Array(data)
    }()

    func addRoutes(to router: Router<ConsentryRequestContext>) {
        router.get("schemas/consentry-tmf-extensions.json") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/schema+json", .cacheControl: "public, max-age=3600"],
                body: .init(byteBuffer: ByteBuffer(bytes: Self.extensionsSchema)))
        }
        router.get("openapi.yaml") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/yaml; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: Self.document)))
        }
    }
}
