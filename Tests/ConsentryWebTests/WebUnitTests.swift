import ConsentryStore
import ConsentryTesting
@testable import ConsentryWeb
import Foundation
import Testing

@Suite("Web pages: sessions, texts, charts")
struct WebUnitTests {
    @Test("a session ends after its idle time and after its absolute lifetime, whatever its use")
    func sessionExpiry() async throws {
        let installation = try await TestInstallation.make()
        let store = WebSessionStore(database: installation.database, idleTimeout: 600, absoluteTimeout: 3600)
        let start = Date(timeIntervalSince1970: 2_000_000_000)
        let token = try await store.create(kind: .customer, subject: "c1", now: start)
        #expect(try await store.session(token: token, now: start.addingTimeInterval(590))?.subject == "c1")
        #expect(try await store.session(token: token, now: start.addingTimeInterval(1150)) != nil, "used at 590 s: idle since then")
        #expect(try await store.session(token: token, now: start.addingTimeInterval(1800)) == nil, "idle for 650 s")
        // Kept busy, it still ends at the absolute lifetime.
        let busy = try await store.create(kind: .officer, subject: "dpo", now: start)
        for minute in stride(from: 5, through: 55, by: 5) {
            #expect(try await store.session(token: busy, now: start.addingTimeInterval(Double(minute) * 60)) != nil)
        }
        #expect(try await store.session(token: busy, now: start.addingTimeInterval(3700)) == nil)
        #expect(try await store.session(token: "not-a-token", now: start) == nil)
        withExtendedLifetime(installation) {}
    }

    @Test("English and German have the same keys, and every text a template names exists")
    func texts() throws {
        #expect(Set(WebStrings.en.keys) == Set(WebStrings.de.keys))
        let templates = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/ConsentryWeb/Templates")
        var used = Set<String>()
        for file in try FileManager.default.contentsOfDirectory(atPath: templates.path) {
            let text = try String(contentsOf: templates.appendingPathComponent(file), encoding: .utf8)
            for match in text.matches(of: /\{\{t\.([a-z_]+)\}\}/) { used.insert(String(match.1)) }
        }
        #expect(used.count > 50)
        #expect(used.subtracting(WebStrings.en.keys).isEmpty, "missing: \(used.subtracting(WebStrings.en.keys).sorted())")
    }

    @Test("Accept-Language picks the preferred supported language by q")
    func acceptLanguage() {
        #expect(WebLanguage.fromAcceptLanguage("de-AT, en;q=0.8") == .de)
        #expect(WebLanguage.fromAcceptLanguage("en;q=0.4, de;q=0.9") == .de)
        #expect(WebLanguage.fromAcceptLanguage("fr, it") == .en)
        #expect(WebLanguage.fromAcceptLanguage("de;q=0, en") == .en)
        #expect(WebLanguage.fromAcceptLanguage(nil) == .en)
    }

    @Test("charts escape every text they draw and scale to the data")
    func charts() {
        let svg = SVGChart.bars(
            title: "<b>t</b>", description: "d & e", labels: ["a\"b"], series: [.init(name: "<x>", values: [12], tone: 1)])
        #expect(!svg.contains("<b>") && svg.contains("&lt;b&gt;") && svg.contains("a&quot;b") && svg.contains("d &amp; e"))
        #expect(svg.contains("role=\"img\""))
        #expect(SVGChart.niceCeiling(12) == 20 && SVGChart.niceCeiling(4) == 5 && SVGChart.niceCeiling(101) == 200)
    }

    @Test("a form body decodes as a browser encodes it")
    func forms() {
        let form = FormBody(encoded: "a=1&b=x+y&c=%C3%A4%26&d=&a=2")
        #expect(form["a"] == "1" && form["b"] == "x y" && form["c"] == "ä&" && form["d"] == "")
    }
}
