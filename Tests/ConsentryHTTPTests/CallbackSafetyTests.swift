import ConsentryCore
@testable import ConsentryHTTP
import ConsentryStore
import ConsentryTesting
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// #11 finding 5: event callbacks cannot be turned against the operator's own network.
@Suite("Event callbacks: allow-listed hosts, no internal addresses, a cap per module")
struct CallbackSafetyTests {
    static let hub = "/tmf-api/privacyManagement/v4/hub"

    @Test("loopback, private, link-local and metadata addresses are internal, also inside IPv6")
    func classification() {
        func kind(_ bytes: [UInt8]) -> String { CallbackAddress.Resolved(bytes: bytes, text: "").kind }
        #expect(kind([127, 0, 0, 1]) == "loopback")
        #expect(kind([169, 254, 169, 254]) == "link-local")
        #expect(kind([10, 1, 2, 3]) == "private" && kind([172, 20, 0, 1]) == "private" && kind([192, 168, 1, 1]) == "private")
        #expect(kind([100, 64, 0, 1]) == "shared" && kind([0, 0, 0, 0]) == "unspecified")
        #expect(kind([8, 8, 8, 8]) == "public" && kind([172, 32, 0, 1]) == "public")
        #expect(kind(Array(repeating: 0, count: 15) + [1]) == "loopback")
        #expect(kind(Array(repeating: 0, count: 10) + [0xFF, 0xFF, 127, 0, 0, 1]) == "loopback", "IPv4-mapped")
        #expect(kind([0xFD, 0x00, 0x0E, 0xC2] + Array(repeating: 0, count: 11) + [0x54]) == "private", "AWS metadata over IPv6")
        #expect(kind([0xFE, 0x80] + Array(repeating: 0, count: 14)) == "link-local")
        #expect(kind([0x20, 0x01, 0x0D, 0xB8] + Array(repeating: 0, count: 12)) == "public")
    }

    @Test("a delivery resolves its host first: an internal address is refused unless the operator allows the host; plain http is pinned to the checked address")
    func deliveryTarget() async throws {
        await #expect(throws: CallbackAddress.Refused.self) { _ = try await EventDeliverer.target("http://localhost:9/events", allowed: []) }
        await #expect(throws: CallbackAddress.Refused.self) { _ = try await EventDeliverer.target("https://127.0.0.1/events", allowed: []) }
        await #expect(throws: CallbackAddress.Refused.self) { _ = try await EventDeliverer.target("http://169.254.169.254/latest/meta-data", allowed: []) }
        await #expect(throws: CallbackAddress.Refused.self) { _ = try await EventDeliverer.target("https://no-such-host.invalid/e", allowed: []) }
        let pinned = try await EventDeliverer.target("http://localhost:9/events?x=1", allowed: [CallbackHostPattern("localhost")!])
        #expect(pinned.url == "http://127.0.0.1:9/events?x=1" || pinned.url == "http://[::1]:9/events?x=1", "\(pinned.url)")
        #expect(pinned.hostHeader == "localhost:9")
        let tls = try await EventDeliverer.target("https://localhost:9/events", allowed: [CallbackHostPattern("localhost")!])
        #expect(tls.url == "https://localhost:9/events" && tls.hostHeader == nil)
    }

    @Test("registration: hosts outside the module's callbackHosts and internal addresses are refused; a module holds a bounded number of subscriptions")
    func registration() async throws {
        // No internal host allowed, as in production without --allow-callback-host.
        var delivery = TestServices.fastDelivery
        delivery.internalCallbackHosts = []
        delivery.maxSubscriptionsPerModule = 2
        let strict = try await GuardedAPIFixture.make(customerCount: 1, delivery: delivery)
        try await strict.withServer { client in
            let headers = strict.headers("csr-toolbox", purpose: nil, extra: [.contentType: "application/json"])
            for (callback, words) in [
                ("https://attacker.example.com/e", "callbackHosts"),
                ("http://127.0.0.1:8080/admin/v1/policy/reload", "internal address (loopback)"),
                ("https://localhost/e", "internal address (loopback)"),
                ("https://169.254.169.254/latest", "callbackHosts"),
            ] {
                let response = try await client.execute(uri: Self.hub, method: .post, headers: headers, body: ByteBuffer(string: #"{"callback":"\#(callback)"}"#))
                #expect(response.status == .unprocessableContent && response.text.contains(words), "\(callback): \(response.text)")
            }
        }
        #expect(try await strict.services.events.subscriptions().isEmpty)

        // With loopback allowed (serve --demo, --allow-callback-host 127.0.0.1): two, then the cap.
        var capped = TestServices.fastDelivery
        capped.maxSubscriptionsPerModule = 2
        let fixture = try await GuardedAPIFixture.make(customerCount: 1, delivery: capped)
        try await fixture.withServer { client in
            let headers = fixture.headers("csr-toolbox", purpose: nil, extra: [.contentType: "application/json"])
            var statuses: [HTTPResponse.Status] = []
            for port in 9001...9003 {
                let response = try await client.execute(uri: Self.hub, method: .post, headers: headers, body: ByteBuffer(string: #"{"callback":"http://127.0.0.1:\#(port)/e"}"#))
                statuses.append(response.status)
            }
            #expect(statuses == [.created, .created, .conflict])
        }
    }
}
