import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Synchronization

/// A browser's memory for the tests: cookies kept per name and sent back, forms posted as a
/// browser posts them. It does not follow redirects: the tests look at each one.
final class WebClient: Sendable {
    let client: any TestClientProtocol
    private let jar = Mutex<[String: String]>([:])
    /// Every `Set-Cookie` header received, as sent.
    let setCookies = Mutex<[String]>([])

    init(_ client: any TestClientProtocol) {
        self.client = client
    }

    var cookies: [String: String] { jar.withLock { $0 } }

    func cookie(_ name: String) -> String? { jar.withLock { $0[name] } }

    func setCookie(_ name: String, _ value: String?) { jar.withLock { $0[name] = value } }

    @discardableResult
    func get(_ path: String, headers: HTTPFields = [:]) async throws -> TestResponse {
        try await send(path, method: .get, headers: headers, body: nil)
    }

    @discardableResult
    func post(_ path: String, form: [(String, String)], headers: HTTPFields = [:]) async throws -> TestResponse {
        var headers = headers
        headers[.contentType] = "application/x-www-form-urlencoded"
        let allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        let body = form.map { "\($0.addingPercentEncoding(withAllowedCharacters: allowed)!)=\($1.addingPercentEncoding(withAllowedCharacters: allowed)!)" }
            .joined(separator: "&")
        return try await send(path, method: .post, headers: headers, body: ByteBuffer(string: body))
    }

    private func send(_ path: String, method: HTTPRequest.Method, headers: HTTPFields, body: ByteBuffer?) async throws -> TestResponse {
        var headers = headers
        let cookies = jar.withLock { $0 }
        if !cookies.isEmpty, headers[.cookie] == nil {
            headers[.cookie] = cookies.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
        }
        let response = try await client.execute(uri: path, method: method, headers: headers, body: body)
        for header in response.headers[values: .setCookie] {
            setCookies.withLock { $0.append(header) }
            let pair = header.split(separator: ";", maxSplits: 1)[0].split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(pair[0]), value = pair.count > 1 ? String(pair[1]) : ""
            let expired = header.lowercased().contains("max-age=0")
            jar.withLock { $0[name] = expired || value.isEmpty ? nil : value }
        }
        return response
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }

    /// The value of the first `name="csrf"` field of the page.
    var csrf: String? { formValue("csrf") }

    func formValue(_ name: String) -> String? {
        guard let range = text.range(of: "name=\"\(name)\" value=\"") else { return nil }
        return String(text[range.upperBound...].prefix { $0 != "\"" })
    }

    var location: String? { headers[.location] }
}
