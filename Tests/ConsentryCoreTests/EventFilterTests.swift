import ConsentryCore
import Foundation
import Testing

@Suite("Event filters and retry schedule")
struct EventFilterTests {
    func event(_ type: PrivacyEvent.EventType, purpose: String?) -> PrivacyEvent {
        PrivacyEvent(type: type, customerID: "c1", purpose: purpose, occurredAt: Date(timeIntervalSince1970: 0))
    }

    @Test("queries: alternatives with commas, terms joined with &, customer-wide events pass a purpose filter")
    func matching() throws {
        let filter = try EventFilter(query: "eventType=ConsentChangeEvent,ProcessingRestrictionChangeEvent&purpose=loyalty")
        #expect(filter.matches(event(.consentChange, purpose: "loyalty")))
        #expect(!filter.matches(event(.consentChange, purpose: "direct-marketing")))
        #expect(!filter.matches(event(.objectionChange, purpose: "loyalty")))
        #expect(filter.matches(event(.restrictionChange, purpose: nil)))
        #expect(try EventFilter(query: "") == .everything)
        #expect(EventFilter.everything.matches(event(.erasureRequest, purpose: nil)))
    }

    @Test("bad queries are refused with the term named", arguments: [
        ("eventType=Nope", "unknown eventType Nope"),
        ("colour=red", "unknown query key colour"),
        ("purpose", "'purpose' is not key=value"),
        ("purpose=", "purpose needs at least one value"),
        ("purpose=a&purpose=b", "purpose appears twice"),
    ])
    func refused(query: String, message: String) {
        #expect(throws: EventFilterError.self) { try EventFilter(query: query) }
        do { _ = try EventFilter(query: query) } catch { #expect(error.message.hasPrefix(message), "\(error.message)") }
    }

    @Test("the backoff grows exponentially to its cap, with jitter below it, and stops at the limit")
    func backoff() {
        let schedule = RetrySchedule(initialDelay: .seconds(1), maximumDelay: .seconds(60), maxAttempts: 10)
        #expect(schedule.delay(afterAttempt: 1, unit: 0.999) == .milliseconds(999))
        #expect(schedule.delay(afterAttempt: 4, unit: 0.999) == .milliseconds(7992))
        #expect(schedule.delay(afterAttempt: 9, unit: 0.999) == .milliseconds(59940), "capped at 60 s")
        #expect(schedule.delay(afterAttempt: 4, unit: 0.5) == .milliseconds(4000), "full jitter: a fraction of the ceiling")
        #expect(schedule.delay(afterAttempt: 4, unit: 0) == .milliseconds(100), "never zero")
        #expect(schedule.delay(afterAttempt: 10, unit: 0.5) == nil, "dead-lettered after the last attempt")
        let samples = (0..<200).map { _ in schedule.delay(afterAttempt: 6, unit: Double.random(in: 0..<1))! }
        #expect(Set(samples).count > 100, "jitter spreads the retries")
        #expect(samples.allSatisfy { $0 <= .seconds(32) })
    }

    @Test("an event envelope is TMF's: its event type, the resource as a reference, fieldPath, no personal value")
    func envelope() {
        var event = PrivacyEvent(
            id: "e1", type: .rectification, customerID: "c1", state: "rectified", fields: ["contactMedium.email"],
            occurredAt: Date(timeIntervalSince1970: 0), correlationID: "r1")
        event.purpose = nil
        let json = event.envelope(sequence: 7)
        #expect(String(decoding: json.bytes, as: UTF8.self) == #"{"eventId":"e1","eventTime":"1970-01-01T00:00:00Z","eventType":"CustomerAttributeValueChangeEvent","domain":"customerManagement","title":"Customer corrected","description":"Fields were corrected: read them again through the guarded API with your purpose.","priority":"normal","timeOcurred":"1970-01-01T00:00:00Z","correlationId":"r1","fieldPath":"contactMedium.email","sequence":7,"consentryEventType":"CustomerAttributeValueChangeEvent","event":{"customer":{"id":"c1","href":"/tmf-api/customerManagement/v4/customer/c1","@type":"Customer"}}}"#)
        let status = PrivacyEvent(type: .rectification, customerID: "c1", fields: ["status"], occurredAt: Date())
        #expect(status.tmfEventType == "CustomerStateChangeEvent")
        let consent = PrivacyEvent(type: .consentChange, customerID: "c1", purpose: "loyalty", state: "withdrawn", occurredAt: Date())
        let profile = consent.envelope(sequence: 1)
        #expect(profile["eventType"] == .string("PartyPrivacyProfileAttributeValueChangeEvent"))
        #expect(profile["priority"] == .string("high"))
        guard case .array(let changes)? = profile["event"]?["partyPrivacyProfile"]?["partyPrivacyProfileCharacteristic"] else {
            Issue.record("no characteristic")
            return
        }
        #expect(changes.first?["value"] == .string("withdrawn"))
    }

    @Test("eventType filters take the TMF names and the first release's, and refuse others")
    func filterNames() throws {
        let consent = PrivacyEvent(type: .consentChange, customerID: "c1", purpose: "loyalty", state: "given", occurredAt: Date())
        let objection = PrivacyEvent(type: .objectionChange, customerID: "c1", purpose: "loyalty", state: "objected", occurredAt: Date())
        let erasure = PrivacyEvent(type: .erasure, customerID: "c1", occurredAt: Date())
        let tmf = try EventFilter(query: "eventType=PartyPrivacyProfileAttributeValueChangeEvent")
        #expect(tmf.matches(consent) && tmf.matches(objection) && !tmf.matches(erasure))
        let old = try EventFilter(query: "eventType=ConsentChangeEvent")
        #expect(old.matches(consent) && !old.matches(objection))
        #expect(try EventFilter(query: "eventType=CustomerDeleteEvent").matches(erasure))
        #expect(throws: EventFilterError.self) { try EventFilter(query: "eventType=PartyCreateEvent") }
    }
}

@Suite("Report rendering")
struct ReportRenderingTests {
    @Test("HTML escapes every value; CSV quotes separators and defuses formulas")
    func escaping() {
        let report = ReportDocument(
            kind: "test", title: "A <b>title</b>", generatedAt: Date(timeIntervalSince1970: 0),
            sections: [
                .init(title: "Facts", content: .facts([("name", "<script>alert(1)</script> & 'x'")])),
                .init(title: "Table", content: .table(columns: ["a", "b"], rows: [["=HYPERLINK(\"x\")", "one, \"two\""], ["plain", "line\nbreak"]])),
            ])
        #expect(!report.html.contains("<script>") && report.html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#39;x&#39;"))
        #expect(report.html.contains("<title>A &lt;b&gt;title&lt;/b&gt;</title>"))
        #expect(report.csv == "a,b\r\n\"'=HYPERLINK(\"\"x\"\")\",\"one, \"\"two\"\"\"\r\nplain,\"line\nbreak\"\r\n")
        #expect(String(decoding: report.json.bytes, as: UTF8.self).contains(#""facts":{"name":"<script>alert(1)</script> & 'x'"}"#))
    }
}
