import ConsentryCore
import Foundation
import Testing

/// The same purpose, decided for customers under different laws: GDPR consent stays opt-in,
/// CPRA sale and sharing runs until the customer opts out; residence picks the law.
@Suite("Decisions by jurisdiction")
struct JurisdictionDecisionTests {
    let engine = DecisionEngine(policy: DecisionEngineTests.policy)
    let now = DecisionEngineTests.now

    func state(region: String? = nil, declared: String? = nil, optOuts: Set<OptOutRight> = [], consent: ConsentStatus? = nil) -> CustomerPrivacyState {
        CustomerPrivacyState(
            customerID: "c1", status: .active, createdAt: now - 100 * 86_400,
            consents: consent.map { ["marketing": ConsentState(status: $0, since: now - 86_400)] } ?? [:],
            residence: Residence(declared: declared, region: region), optOuts: optOuts)
    }

    func reason(_ purpose: String, _ state: CustomerPrivacyState) throws -> ReasonCode? {
        let grant = try engine.authorize(module: "crm", purpose: purpose, operation: .read)
        return engine.decide(grant, customer: state, fields: [.givenName], now: now).customerReason
    }

    @Test("residence picks the law: a declared jurisdiction, else the subdivision, else the country, else the default")
    func residence() {
        let policy = engine.policy
        #expect(policy.jurisdiction(for: Residence(region: "US-CA")).id == "us-ca")
        #expect(policy.jurisdiction(for: Residence(region: "US-NY")).id == "eu-gdpr", "a state no jurisdiction lists falls to the default")
        #expect(policy.jurisdiction(for: Residence(region: "DE")).id == "eu-gdpr")
        #expect(policy.jurisdiction(for: Residence(declared: "us-ca", region: "DE")).id == "us-ca", "the record's own word wins")
        #expect(policy.jurisdiction(for: Residence(declared: "atlantis", region: "US-CA")).id == "us-ca", "an unknown declared id is ignored")
        #expect(policy.jurisdiction(for: Residence()).id == "eu-gdpr")
    }

    @Test("the region comes from the preferred postal address: US + California → US-CA; a characteristic names a jurisdiction")
    func regionFromData() throws {
        func profile(country: String?, state: String?, jurisdiction: String? = nil) -> CustomerProfile {
            var address = MediumCharacteristic()
            address.city = "Somewhere"
            address.country = country
            address.stateOrProvince = state
            return CustomerProfile(
                engagedParty: .individual(Individual(givenName: "A", familyName: "B")),
                contactMedium: [ContactMedium(mediumType: .postalAddress, preferred: true, characteristic: address)],
                characteristic: jurisdiction.map { [Characteristic(name: "jurisdiction", value: $0)] } ?? [])
        }
        #expect(Residence(profile(country: "US", state: "California")).region == "US-CA")
        #expect(Residence(profile(country: "us", state: "ca")).region == "US-CA")
        #expect(Residence(profile(country: "DE", state: nil)).region == "DE")
        #expect(Residence(profile(country: "Germany", state: nil)).region == nil, "country names are not guessed")
        #expect(Residence(profile(country: "DE", state: nil, jurisdiction: "US-CA-CPRA")).declared == "us-ca-cpra")
    }

    @Test("CPRA sale and sharing: runs without consent until the customer opts out; GDPR needs the consent")
    func saleAndSharing() throws {
        #expect(try reason("marketing", state(region: "US-CA")) == nil, "Californian: in until opted out")
        #expect(try reason("marketing", state(region: "US-CA", optOuts: [.saleOrSharing])) == .optedOutOfSaleOrSharing)
        #expect(try reason("marketing", state(region: "US-CA", consent: .withdrawn)) == .consentWithdrawn, "an explicit withdrawal still counts")
        #expect(try reason("marketing", state(region: "DE")) == .noConsent, "GDPR: opt-in, unchanged")
        #expect(try reason("marketing", state(region: "DE", optOuts: [.saleOrSharing])) == .noConsent)
        #expect(try reason("marketing", state(region: "DE", consent: .given)) == nil)
    }

    @Test("CPRA limit on sensitive information stops the purposes it names, for Californians only")
    func limitSensitive() throws {
        #expect(try reason("fraud", state(region: "US-CA", optOuts: [.limitSensitive])) == .sensitiveUseLimited)
        #expect(try reason("fraud", state(region: "US-CA")) == nil)
        #expect(try reason("fraud", state(region: "DE", optOuts: [.limitSensitive])) == nil, "no such right under GDPR")
    }

    @Test("an opt-out event reaches the modules that run a purpose it covers, and only them")
    func optOutEventVisibility() throws {
        let policy = engine.policy
        let event = PrivacyEvent(
            announcing: ConsentEvent(customerID: "c1", purpose: "sale-sharing", kind: .optOut, occurredAt: now, channel: .gpc), correlationID: nil)
        #expect(event.type == .optOutChange && event.state == "opted_out")
        #expect(event.isVisible(to: policy.modules["crm"]!, policy: policy), "crm runs marketing, which sale-sharing covers")
        #expect(!event.isVisible(to: policy.modules["billing-app"]!, policy: policy))
        #expect(try EventFilter(query: "purpose=marketing").matches(event, policy: policy))
        #expect(try EventFilter(query: "purpose=sale-sharing").matches(event, policy: policy))
        #expect(try !EventFilter(query: "purpose=billing").matches(event, policy: policy))
        #expect(event.envelope(sequence: 1)["eventType"] == .string("PartyPrivacyProfileAttributeValueChangeEvent"))
    }

    @Test("standing: the purpose shows which opt-out covers it and whether it was used")
    func standing() {
        let marketing = engine.policy.purposes["marketing"]!
        let california = engine.policy.jurisdictions["us-ca"]!
        let inByDefault = ConsentStanding(purpose: marketing, state: state(region: "US-CA"), now: now, jurisdiction: california)
        #expect(inByDefault.status == .notRequired && inByDefault.optOut == .saleOrSharing)
        let out = ConsentStanding(purpose: marketing, state: state(region: "US-CA", optOuts: [.saleOrSharing]), now: now, jurisdiction: california)
        #expect(out.status == .optedOut)
        let gdpr = ConsentStanding(purpose: marketing, state: state(region: "DE"), now: now, jurisdiction: .gdprDefault)
        #expect(gdpr.status == .notGiven && gdpr.optOut == nil)
    }
}
