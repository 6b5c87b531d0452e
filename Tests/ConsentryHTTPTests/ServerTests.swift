import ConsentryHTTP
import ConsentryStore
import ConsentryTesting
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@Suite("HTTP server")
struct ServerTests {
    func services() async throws -> (TestInstallation, ConsentryServices) {
        let installation = try await TestInstallation.make()
        return (installation, try await TestServices.make(installation))
    }

    @Test("Health routes answer, with a request id on every response")
    func health() async throws {
        let (installation, services) = try await services()
        defer { withExtendedLifetime(installation) {} }  // its temporary directory holds the database
        let app = buildApplication(services: services, settings: ServerSettings(port: 0))
        try await app.test(.router) { client in
            try await client.execute(uri: "/health/live", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains("\"live\""))
                #expect(response.headers[.init("X-Request-Id")!]?.count == 36)
            }
            try await client.execute(uri: "/health/ready", method: .get, headers: [.init("X-Request-Id")!: "abc-123"]) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains("\"database\":\"ok\""))
                #expect(response.headers[.init("X-Request-Id")!] == "abc-123")
            }
        }
    }

    @Test("Unknown routes and wrong methods answer RFC 7807 problem+json")
    func problems() async throws {
        let (installation, services) = try await services()
        defer { withExtendedLifetime(installation) {} }  // its temporary directory holds the database
        let app = buildApplication(services: services, settings: ServerSettings(port: 0))
        try await app.test(.router) { client in
            try await client.execute(uri: "/customers/someone@example.com", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(response.headers[.contentType] == "application/problem+json")
                let problem = try JSONDecoder().decode(ProblemDetails.self, from: Data(String(buffer: response.body).utf8))
                #expect(problem.code == "not_found")
                #expect(problem.status == .notFound)
                #expect(problem.instance == "/customers/someone@example.com")
            }
        }
    }

    @Test("Metrics are Prometheus text with request counts by route pattern and key gauges")
    func metrics() async throws {
        let (installation, services) = try await services()
        defer { withExtendedLifetime(installation) {} }
        _ = try await installation.store.create(SyntheticCustomers().draft(1))
        let app = buildApplication(services: services, settings: ServerSettings(port: 0))
        try await app.test(.router) { client in
            _ = try await client.execute(uri: "/health/live", method: .get)
            _ = try await client.execute(uri: "/missing/LEG-0000001", method: .get)
            try await client.execute(uri: "/metrics", method: .get) { response in
                let text = String(buffer: response.body)
                #expect(response.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
                #expect(text.contains(#"consentry_http_requests_total{method="GET",route="/health/live",status="200"} 1"#))
                #expect(!text.contains("consentry_customers"))
                #expect(text.contains("consentry_kek_active_version 1"))
                #expect(text.contains("consentry_wrapped_keys_pending_rewrap 0"))
                #expect(!text.contains("LEG-0000001"), "raw paths never become labels")
            }
        }
    }

    @Test("The OpenAPI document lists exactly the routes the router serves")
    func openAPIMatchesRouter() async throws {
        let (installation, services) = try await services()
        defer { withExtendedLifetime(installation) {} }  // its temporary directory holds the database
        let router = buildRouter(services: services)
        let served = Set(router.routes.map { "\($0.method.rawValue.lowercased()) \($0.path)" })
        let app = Application(router: router)
        try await app.test(.router) { client in
            try await client.execute(uri: "/openapi.yaml", method: .get) { response in
                #expect(response.status == .ok)
                var documented = Set<String>()
                var currentPath: String?
                for line in String(buffer: response.body).split(separator: "\n") {
                    if line.hasPrefix("  /"), line.hasSuffix(":") { currentPath = String(line.dropFirst(2).dropLast()) }
                    else if !line.hasPrefix("  ") { currentPath = nil }
                    else if let path = currentPath, line.hasPrefix("    "), !line.hasPrefix("     "),
                            let method = ["get", "post", "put", "patch", "delete"].first(where: { line == "    \($0):" }) {
                        documented.insert("\(method) \(path)")
                    }
                }
                #expect(!documented.isEmpty)
                #expect(documented == served)
            }
        }
    }

    @Test("A live server on loopback answers over real HTTP")
    func liveServer() async throws {
        let (installation, services) = try await services()
        defer { withExtendedLifetime(installation) {} }  // its temporary directory holds the database
        let app = buildApplication(services: services, settings: ServerSettings(host: "127.0.0.1", port: 0))
        try await app.test(.live) { client in
            try await client.execute(uri: "/health/ready", method: .get) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/nope", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(response.headers[.contentType] == "application/problem+json")
            }
        }
    }
}
