import Foundation
import HTTPTypes
import Hummingbird
import Mustache
import NIOCore

/// Renders the Mustache templates of `Templates/` into HTML responses. Every `{{value}}` is
/// HTML-escaped by Mustache; the only unescaped insertions (`{{{chart}}}`) are SVG the
/// server drew itself, with every text in it escaped (`SVGChart`).
struct PageRenderer: Sendable {
    let library: MustacheLibrary
    let assets: WebAssets

    init(assets: WebAssets) async throws {
        guard let directory = Bundle.module.url(forResource: "Templates", withExtension: nil) else {
            throw WebSetupError("the web templates are missing from the installation")
        }
        library = try await MustacheLibrary(directory: directory.path)
        self.assets = assets
    }

    /// The page `template` with `values`, plus what every page needs: the stylesheet and
    /// script names, the language and its texts.
    func page(_ template: String, _ values: [String: Any], language: WebLanguage, status: HTTPResponse.Status = .ok) -> Response {
        var context = values
        context["css"] = assets.url("consentry.css")
        context["js"] = assets.url("consentry.js")
        context["lang"] = language.rawValue
        context["t"] = WebStrings.table(language)
        context["is_\(language.rawValue)"] = true
        guard let html = library.render(context, withTemplate: template) else {
            return WebPageError.plain(status: .internalServerError, "The page \(template) is missing.")
        }
        return Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: html)))
    }
}
