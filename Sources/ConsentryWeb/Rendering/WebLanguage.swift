import Foundation
import Hummingbird

/// The language of the pages: English or German (the policy carries both texts). Chosen by the
/// switch on every page (a cookie), else by the browser's `Accept-Language`, else English.
enum WebLanguage: String, Sendable, CaseIterable {
    case en, de

    static let cookieName = "consentry_lang"

    static func of(_ request: Request) -> WebLanguage {
        if let chosen = request.cookies[cookieName].flatMap({ WebLanguage(rawValue: $0.value) }) { return chosen }
        return fromAcceptLanguage(request.headers[.acceptLanguage])
    }

    /// The supported language the header prefers most (by `q`, then order).
    static func fromAcceptLanguage(_ header: String?) -> WebLanguage {
        guard let header else { return .en }
        var best: (language: WebLanguage, q: Double, index: Int)?
        for (index, item) in header.split(separator: ",").enumerated() {
            let parts = item.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let tag = parts.first?.lowercased(), let primary = tag.split(separator: "-").first,
                let language = WebLanguage(rawValue: String(primary))
            else { continue }
            let q = parts.dropFirst().first(where: { $0.hasPrefix("q=") }).flatMap { Double($0.dropFirst(2)) } ?? 1
            guard q > 0 else { continue }
            if best == nil || q > best!.q { best = (language, q, index) }
        }
        return best?.language ?? .en
    }
}
