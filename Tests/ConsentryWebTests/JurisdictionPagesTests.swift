import ConsentryCore
import ConsentryHTTP
import ConsentryStore
import ConsentryTesting
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// The privacy center under another law: a Californian sees their opt-outs and uses them; a
/// browser's Global Privacy Control signal opts them out; a European sees none of it.
@Suite("Privacy center: jurisdictions and GPC", .serialized)
struct JurisdictionPagesTests {
    static func resident(_ fixture: WebFixture, _ country: String, state: String?, tag: String) async throws -> Customer {
        let profile = CustomerProfile(
            engagedParty: .individual(Individual(givenName: "Web", familyName: "Resident-\(tag)", birthDate: "1985-02-02", preferredLanguage: "en")),
            contactMedium: [
                ContactMedium(mediumType: .email, preferred: true, characteristic: MediumCharacteristic(emailAddress: "web-\(tag)@example.org")),
                ContactMedium(
                    mediumType: .postalAddress, preferred: true,
                    characteristic: MediumCharacteristic(street1: "1 Web Street", city: "Webville", postCode: "90001", stateOrProvince: state, country: country)),
            ],
            loginSubject: "web-\(tag)")
        return try await fixture.installation.store.create(CustomerDraft(profile: profile))
    }

    @Test("a Californian's page shows the opt-outs; GPC on a page view opts out; the switch opts back in; a European has none")
    func optOutPages() async throws {
        let fixture = try await WebFixture.make(customerCount: 2)
        let californian = try await Self.resident(fixture, "US", state: "CA", tag: "ca")
        let european = try await Self.resident(fixture, "DE", state: nil, tag: "de")
        try await fixture.withServer { browser in
            try await fixture.signIn(browser, as: californian)
            let page = try await browser.get("/privacy/consents")
            #expect(page.status == .ok)
            #expect(page.text.contains("id=\"opt-out-sale-sharing\"") && page.text.contains("Do not sell or share my personal information"))
            #expect(page.text.contains("California Consumer Privacy Act"))
            #expect(page.text.contains("A scoring model weighs your payment history"), "the automated decision's logic is shown")

            // The browser sends a GPC signal with the next page: the opt-out is recorded, channel gpc.
            let signalled = try await browser.get("/privacy/consents", headers: [HTTPField.Name("Sec-GPC")!: "1"])
            #expect(signalled.text.contains("Recorded from your browser"))
            let history = try await fixture.services.consents.history(customerID: californian.id)
            #expect(history.map(\.kind) == [.optOut] && history.first?.channel == .gpc)

            // The switch opts back in, with a receipt.
            let back = try await browser.post("/privacy/opt-outs", form: [("csrf", signalled.csrf ?? ""), ("right", "sale-sharing"), ("opted_out", "false")])
            #expect(back.status == .seeOther && back.location?.contains("done=opted_in") == true, "\(back.status) \(back.location ?? "")")
            #expect(try await fixture.services.consents.history(customerID: californian.id).map(\.kind) == [.optOut, .optOutWithdrawn])
            #expect(try await fixture.services.consents.receipts(customerID: californian.id).count == 2)
            // Requests offer only the rights California grants.
            let requests = try await browser.get("/privacy/requests")
            #expect(requests.text.contains("value=\"human_review\"") && !requests.text.contains("value=\"restriction\""))
        }
        try await fixture.withServer { browser in
            try await fixture.signIn(browser, as: european)
            let page = try await browser.get("/privacy/consents", headers: [HTTPField.Name("Sec-GPC")!: "1"])
            #expect(page.status == .ok && !page.text.contains("id=\"opt-outs\""))
            #expect(page.text.contains("Regulation (EU) 2016/679 (GDPR)"))
            #expect(try await fixture.services.consents.history(customerID: european.id).isEmpty, "GDPR: the signal records nothing")
            let forged = try await browser.post("/privacy/opt-outs", form: [("csrf", page.csrf ?? ""), ("right", "sale-sharing"), ("opted_out", "true")])
            #expect(forged.status == .conflict, "no such right under the GDPR: \(forged.status)")
            let requests = try await browser.get("/privacy/requests")
            #expect(requests.text.contains("value=\"restriction\""))
        }
    }
}
