import ConsentryCore
import HTTPTypes
import Hummingbird
import NIOCore

extension Response {
    /// A JSON response written straight from a `JSONValue` (no Foundation encoder).
    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        json(bytes: value.bytes, status: status)
    }

    static func json(bytes: [UInt8], status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}

extension Request {
    /// `scheme://host[:port]` as the caller reached this server, for absolute URIs in bodies
    /// (TMF's `@schemaLocation`). The host comes from the request's authority when it is a
    /// plain host name or address with an optional port, else `localhost`; the scheme from
    /// `X-Forwarded-Proto` (`http` or `https`, a TLS proxy in front), else `http`.
    var origin: String {
        let forwarded = headers[HTTPField.Name("X-Forwarded-Proto")!]?.lowercased()
        let scheme = forwarded == "https" ? "https" : "http"
        let authority = head.authority ?? ""
        let plain = !authority.isEmpty && authority.count <= 260
            && authority.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || ".-:[]".contains($0)) }
        return "\(scheme)://\(plain ? authority : "localhost")"
    }
}
