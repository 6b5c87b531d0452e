import Foundation
import Hummingbird

/// A posted form (`application/x-www-form-urlencoded`), at most 16 KiB.
struct FormBody: Sendable {
    private(set) var values: [String: [String]] = [:]

    static let maximumSize = 16 * 1024

    init(_ request: Request) async throws {
        let contentType = request.headers[.contentType]?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
        let buffer = try await request.body.collect(upTo: Self.maximumSize)
        guard buffer.readableBytes == 0 || contentType == "application/x-www-form-urlencoded" else {
            throw WebPageError.text(.unsupportedMediaType, "Send this form from the page.")
        }
        self.init(encoded: String(decoding: buffer.readableBytesView, as: UTF8.self))
    }

    init(encoded: String) {
        for pair in encoded.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let decode = { (text: Substring) in String(text).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "" }
            values[decode(parts[0]), default: []].append(parts.count > 1 ? decode(parts[1]) : "")
        }
    }

    subscript(_ name: String) -> String? { values[name]?.first }

    /// A required field, trimmed and non-empty.
    func require(_ name: String) throws -> String {
        guard let value = self[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else {
            throw WebPageError.text(.badRequest, "The form lacks \(name).")
        }
        return value
    }
}
