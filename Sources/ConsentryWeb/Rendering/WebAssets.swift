import ConsentryCrypto
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The stylesheet and script, served under names that carry a hash of their content, so a
/// browser may keep them a year: a changed file is a new name. No build step, no CDN.
struct WebAssets: Sendable {
    struct Asset: Sendable {
        var bytes: [UInt8]
        var contentType: String
    }

    /// By hashed name (`consentry.3f9a1c2b7d4e.css`).
    let byName: [String: Asset]
    /// The hashed name of each file (`consentry.css` → `consentry.3f9a1c2b7d4e.css`).
    let names: [String: String]

    init() throws {
        guard let directory = Bundle.module.url(forResource: "Assets", withExtension: nil) else {
            throw WebSetupError("the web assets are missing from the installation")
        }
        var byName: [String: Asset] = [:]
        var names: [String: String] = [:]
        for file in try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() {
            let bytes = Array(try Data(contentsOf: directory.appendingPathComponent(file)))
            let ext = (file as NSString).pathExtension
            let stem = (file as NSString).deletingPathExtension
            let hashed = "\(stem).\(String(SHA256.hexHash(bytes).prefix(12))).\(ext)"
            let type = switch ext {
            case "css": "text/css; charset=utf-8"
            case "js": "text/javascript; charset=utf-8"
            case "svg": "image/svg+xml"
            default: "application/octet-stream"
            }
            byName[hashed] = Asset(bytes: bytes, contentType: type)
            names[file] = hashed
        }
        self.byName = byName
        self.names = names
    }

    /// `/assets/<hashed name>` for a file of `Assets/`.
    func url(_ file: String) -> String { "/assets/" + (names[file] ?? file) }

    func addRoutes(to router: Router<some RequestContext>) {
        router.get("assets/{name}") { _, context -> Response in
            guard let asset = byName[try context.parameters.require("name")] else { return Response(status: .notFound) }
            return Response(
                status: .ok,
                headers: [
                    .contentType: asset.contentType, .cacheControl: "public, max-age=31536000, immutable",
                    .xContentTypeOptions: "nosniff",
                ],
                body: .init(byteBuffer: ByteBuffer(bytes: asset.bytes)))
        }
    }
}

/// The web pages cannot start (missing resources, a template that does not parse).
struct WebSetupError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
