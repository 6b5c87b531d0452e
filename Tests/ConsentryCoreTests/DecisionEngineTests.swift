import ConsentryCore
import Foundation
import Testing

@Suite("Decision engine")
struct DecisionEngineTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static let day: TimeInterval = 86_400

    static func purpose(_ id: String, _ basis: LegalBasis, _ categories: [String: Purpose.Visibility],
                        retention: String = "P1Y", from: Purpose.RetentionEvent = .relationshipEnd, expiresAfter: String? = nil) -> Purpose {
        Purpose(
            id: id, name: LocalizedText(["en": id, "de": id]), description: LocalizedText(["en": id, "de": id]),
            dpvPurpose: "dpv:Test", fidesDataUse: "", legalBasis: basis, categories: categories,
            retention: .init(period: ISODuration(retention)!, from: from),
            consent: basis == .consent ? .init(expiresAfter: expiresAfter.flatMap(ISODuration.init), guardianRequiredUnderAge: 16) : nil,
            noticeVersion: "1")
    }

    static let policy: Policy = {
        var fields: [PolicyField: String] = [:]
        for field in PolicyField.allCases { fields[field] = "user.custom" }
        fields[.givenName] = "user.name"
        fields[.familyName] = "user.name"
        fields[.email] = "user.contact.email"
        fields[.phone] = "user.contact.phone_number"
        fields[.birthDate] = "user.demographic.date_of_birth"
        let purposes = [
            purpose("billing", .contract, ["user.name": .plain, "user.contact.email": .masked]),
            purpose("tax", .legalObligation, ["user.name": .plain], retention: "P10Y"),
            purpose("marketing", .consent, ["user.name": .plain, "user.contact.email": .plain], expiresAfter: "P2Y"),
            purpose("fraud", .legitimateInterest, ["user.name": .plain, "user.demographic.date_of_birth": .plain]),
            purpose("welcome", .contract, ["user.name": .plain], retention: "P30D", from: .collection),
        ]
        let modules = [
            ModuleProfile(id: "billing-app", applicationType: "Bill Calculation", description: "", purposes: ["billing", "tax", "welcome"],
                          operations: .init(read: true, update: ["user.contact.email"])),
            ModuleProfile(id: "crm", applicationType: "Customer Loyalty Management", description: "", purposes: ["marketing", "fraud"],
                          operations: .init(read: true, audience: true)),
        ]
        // A second jurisdiction where marketing runs until the customer opts out of sale and
        // sharing, and fraud checks stop when they limit the use of sensitive information.
        let california = Jurisdiction(
            id: "us-ca", name: "California", law: "CCPA/CPRA", regions: ["US-CA"], supervisoryAuthority: "CPPA",
            rights: [.access: .init(period: ISODuration("P45D")!, extensionLimit: ISODuration("P45D")!)],
            optOuts: [.saleOrSharing: .init(purposes: ["marketing"], honoursGPC: true), .limitSensitive: .init(purposes: ["fraud"], honoursGPC: false)])
        return Policy(
            version: "sha256:test", categories: [:], fieldCategories: fields,
            purposes: Dictionary(uniqueKeysWithValues: purposes.map { ($0.id, $0) }),
            modules: Dictionary(uniqueKeysWithValues: modules.map { ($0.id, $0) }),
            jurisdictions: [.gdprDefault, california], defaultJurisdiction: "eu-gdpr")
    }()

    let engine = DecisionEngine(policy: Self.policy)
    let fields: [PolicyField] = [.givenName, .familyName, .email, .phone, .birthDate]

    func customer(consent: ConsentState? = nil, purpose: String = "marketing", objections: Set<String> = [], restricted: Bool = false,
                  endedDaysAgo: Double? = nil, createdDaysAgo: Double = 100) -> CustomerPrivacyState {
        CustomerPrivacyState(
            customerID: "c1", status: endedDaysAgo == nil ? .active : .closed, createdAt: Self.now - createdDaysAgo * Self.day,
            relationshipEndedAt: endedDaysAgo.map { Self.now - $0 * Self.day }, consents: consent.map { [purpose: $0] } ?? [:],
            objections: objections, restricted: restricted)
    }

    func decide(_ module: String, _ purpose: String, _ state: CustomerPrivacyState) throws -> AccessDecision {
        let grant = try engine.authorize(module: module, purpose: purpose, operation: .read)
        return engine.decide(grant, customer: state, fields: fields, now: Self.now)
    }

    // MARK: Request level

    @Test("request-level reasons", arguments: [
        ("nobody", "billing", ModuleOperation.read, ReasonCode.moduleUnknown),
        ("billing-app", "astrology", .read, .purposeUnknown),
        ("billing-app", "marketing", .read, .purposeNotAllowedForModule),
        ("billing-app", "billing", .audience, .operationNotAllowed),
    ])
    func requestLevel(module: String, purpose: String, operation: ModuleOperation, reason: ReasonCode) {
        #expect(throws: AccessDenied(reason: reason, module: module, purpose: purpose)) {
            try engine.authorize(module: module, purpose: purpose, operation: operation)
        }
    }

    @Test("CATEGORY_NOT_UPDATABLE: an update outside the module's categories")
    func categoryNotUpdatable() throws {
        _ = try engine.authorize(module: "billing-app", purpose: "billing", operation: .update, updating: ["user.contact.email"])
        #expect(throws: AccessDenied(reason: .categoryNotUpdatable, module: "billing-app", purpose: "billing")) {
            try engine.authorize(module: "billing-app", purpose: "billing", operation: .update, updating: ["user.name"])
        }
    }

    // MARK: Field level

    @Test("PERMITTED, MASKED_BY_POLICY and CATEGORY_NOT_IN_PURPOSE, field by field")
    func fieldLevel() throws {
        let decision = try decide("billing-app", "billing", customer())
        #expect(decision.customerReason == nil)
        #expect(decision.fields.map { "\($0.field.rawValue)=\($0.treatment.rawValue):\($0.reason.rawValue)" } == [
            "engagedParty.givenName=plain:PERMITTED",
            "engagedParty.familyName=plain:PERMITTED",
            "contactMedium.email=masked:MASKED_BY_POLICY",
            "contactMedium.phone=withheld:CATEGORY_NOT_IN_PURPOSE",
            "engagedParty.birthDate=withheld:CATEGORY_NOT_IN_PURPOSE",
        ])
        #expect(decision.outcome == .partial)
        #expect(decision.reasonCodes == [.categoryNotInPurpose, .maskedByPolicy, .permitted])
    }

    // MARK: Customer level

    @Test("consent purposes: NO_CONSENT, CONSENT_REFUSED, CONSENT_WITHDRAWN, CONSENT_EXPIRED, and given")
    func consent() throws {
        let recent = Self.now - 10 * Self.day
        let cases: [(ConsentState?, ReasonCode?)] = [
            (nil, .noConsent),
            (ConsentState(status: .refused, since: recent), .consentRefused),
            (ConsentState(status: .withdrawn, since: recent), .consentWithdrawn),
            (ConsentState(status: .given, since: Self.now - 800 * Self.day), .consentExpired),  // policy: P2Y
            (ConsentState(status: .given, since: recent, expiresAt: Self.now - Self.day), .consentExpired),  // the record's own end
            (ConsentState(status: .given, since: recent), nil),
        ]
        for (consent, expected) in cases {
            let decision = try decide("crm", "marketing", customer(consent: consent))
            #expect(decision.customerReason == expected, "\(String(describing: consent))")
            if let expected {
                #expect(decision.fields.allSatisfy { $0.treatment == .withheld && $0.reason == expected })
                #expect(decision.outcome == .denied)
            } else {
                #expect(decision.treatment(of: .email) == .plain)
            }
        }
    }

    @Test("OBJECTION stops legitimate interest, not contract")
    func objection() throws {
        let objecting = customer(objections: ["fraud", "billing"])
        #expect(try decide("crm", "fraud", objecting).customerReason == .objection)
        #expect(try decide("billing-app", "billing", objecting).customerReason == nil)
    }

    @Test("RESTRICTED stops everything but legal obligation")
    func restriction() throws {
        let restricted = customer(consent: ConsentState(status: .given, since: Self.now), restricted: true)
        #expect(try decide("billing-app", "billing", restricted).customerReason == .restricted)
        #expect(try decide("crm", "marketing", restricted).customerReason == .restricted)
        #expect(try decide("billing-app", "tax", restricted).customerReason == nil)
    }

    @Test("RETENTION_OVER after the retention from the relationship's end, or from collection")
    func retention() throws {
        #expect(try decide("billing-app", "billing", customer(endedDaysAgo: 200)).customerReason == nil)  // P1Y
        #expect(try decide("billing-app", "billing", customer(endedDaysAgo: 400)).customerReason == .retentionOver)
        #expect(try decide("billing-app", "tax", customer(endedDaysAgo: 400)).customerReason == nil)  // P10Y
        #expect(try decide("billing-app", "welcome", customer(createdDaysAgo: 10)).customerReason == nil)
        #expect(try decide("billing-app", "welcome", customer(createdDaysAgo: 31)).customerReason == .retentionOver)
    }

    @Test("ERASED stops every purpose but the legal obligation that holds what is left")
    func erased() throws {
        var gone = customer(consent: ConsentState(status: .given, since: Self.now), endedDaysAgo: 1)
        gone.erasedAt = Self.now - Self.day
        #expect(try decide("crm", "marketing", gone).customerReason == .erased)
        #expect(try decide("billing-app", "billing", gone).customerReason == .erased)
        #expect(try decide("billing-app", "tax", gone).customerReason == nil)
    }

    @Test("an erasure plan keeps what a legal obligation's retention still needs, until when, and nothing else")
    func erasurePlan() throws {
        let fields: [PolicyField] = [.givenName, .familyName, .email, .birthDate]
        let ended = customer(endedDaysAgo: 10)
        let plan = ErasurePlan(customerID: "c1", fields: fields, state: ended, policy: engine.policy, now: Self.now)
        // The test policy's "tax" purpose is a legal obligation over names for P10Y from the relationship's end.
        #expect(plan.held.map(\.field) == [.familyName, .givenName].sorted())
        #expect(plan.erased == [.email, .birthDate].sorted())
        #expect(plan.held.allSatisfy { $0.purposes == ["tax"] && $0.until == ISODuration("P10Y")!.added(to: Self.now - 10 * Self.day) })
        let long = customer(endedDaysAgo: 11 * 366)
        let expired = ErasurePlan(customerID: "c1", fields: fields, state: long, policy: engine.policy, now: Self.now)
        #expect(expired.held.isEmpty && expired.erased == fields.sorted(), "a hold whose retention is over keeps nothing")
    }

    @Test("every reason code has a test that produces it")
    func everyReasonCodeIsProduced() throws {
        // The codes the tests above assert, collected by running each scenario once more.
        var produced = Set<ReasonCode>()
        for (module, purpose, operation) in [("nobody", "billing", ModuleOperation.read), ("billing-app", "x", .read), ("billing-app", "marketing", .read), ("billing-app", "billing", .audience)] {
            do { _ = try engine.authorize(module: module, purpose: purpose, operation: operation) } catch { produced.insert(error.reason) }
        }
        do { _ = try engine.authorize(module: "billing-app", purpose: "billing", operation: .update, updating: ["user.name"]) } catch { produced.insert(error.reason) }
        let states: [(String, String, CustomerPrivacyState)] = [
            ("billing-app", "billing", customer()),
            ("crm", "marketing", customer()),
            ("crm", "marketing", customer(consent: ConsentState(status: .refused, since: Self.now))),
            ("crm", "marketing", customer(consent: ConsentState(status: .withdrawn, since: Self.now))),
            ("crm", "marketing", customer(consent: ConsentState(status: .given, since: Self.now - 1000 * Self.day))),
            ("crm", "fraud", customer(objections: ["fraud"])),
            ("billing-app", "billing", customer(restricted: true)),
            ("billing-app", "billing", customer(endedDaysAgo: 400)),
            ("crm", "marketing", { var state = customer(); state.erasedAt = Self.now; return state }()),
            ("crm", "marketing", { var state = customer(); state.residence.region = "US-CA"; state.optOuts = [.saleOrSharing]; return state }()),
            ("crm", "fraud", { var state = customer(); state.residence.region = "US-CA"; state.optOuts = [.limitSensitive]; return state }()),
        ]
        for (module, purpose, state) in states { produced.formUnion(try decide(module, purpose, state).reasonCodes) }
        #expect(produced == Set(ReasonCode.allCases))
    }

    // MARK: Durations and masks

    @Test("ISO 8601 durations parse strictly", arguments: [
        ("P10Y", true), ("P18M", true), ("P2Y6M", true), ("P30D", true), ("PT12H", true), ("P1W", true), ("P1DT2H", true),
        ("P", false), ("10Y", false), ("P1.5Y", false), ("PT", false), ("P1M1Y", false), ("P1Y1Y", false), ("P1H", false), ("", false),
    ])
    func durations(text: String, valid: Bool) {
        #expect((ISODuration(text) != nil) == valid)
    }

    @Test("P1M from 31 January is the end of February")
    func monthArithmetic() {
        let january31 = Date(timeIntervalSince1970: 1_801_872_000)
        let formatted = ISOTimestamp.format(ISODuration("P1M")!.added(to: january31))
        #expect(ISOTimestamp.format(january31) == "2027-02-06T00:00:00Z")
        #expect(formatted == "2027-03-06T00:00:00Z")
        let jan31 = Date(timeIntervalSince1970: 1_801_353_600)
        #expect(ISOTimestamp.format(jan31) == "2027-01-31T00:00:00Z")
        #expect(ISOTimestamp.format(ISODuration("P1M")!.added(to: jan31)) == "2027-02-28T00:00:00Z")
    }

    @Test("ISO timestamps match Foundation's formatter")
    func timestamps() {
        let formatter = ISO8601DateFormatter()
        for seconds in stride(from: -2_000_000_000.0, to: 4_000_000_000.0, by: 97_654_321.0) {
            let date = Date(timeIntervalSince1970: seconds)
            #expect(ISOTimestamp.format(date) == formatter.string(from: date))
        }
    }

    @Test("masks keep enough to recognise, not to use")
    func masks() {
        #expect(FieldMask.mask(.string("Jane"), as: .givenName) == .string("J***"))
        #expect(FieldMask.mask(.string("1984-05-12"), as: .birthDate) == .string("1984-**-**"))
        let email = JSONValue.object([("mediumType", .string("email")), ("characteristic", .object([("emailAddress", .string("jane.doe@example.com"))]))])
        #expect(FieldMask.mask(email, as: .email)["characteristic"]?["emailAddress"] == .string("j***@example.com"))
        let phone = JSONValue.object([("characteristic", .object([("phoneNumber", .string("+447700900123"))]))])
        #expect(FieldMask.mask(phone, as: .phone)["characteristic"]?["phoneNumber"] == .string("+44*****23"))
        let address = JSONValue.object([("characteristic", .object([
            ("street1", .string("1 Main Street")), ("city", .string("Leeds")), ("postCode", .string("LS1 4AP")), ("country", .string("GB")),
        ]))])
        let masked = FieldMask.mask(address, as: .postalAddress)["characteristic"]
        #expect(masked?["street1"] == .string("***") && masked?["postCode"] == .string("LS***") && masked?["city"] == .string("Leeds"))
        let id = JSONValue.object([("identificationType", .string("passport")), ("identificationId", .string("X12345678"))])
        #expect(FieldMask.mask(id, as: .individualIdentification)["identificationId"] == .string("***678"))
    }

    @Test("JSON values round trip through the parser")
    func jsonRoundTrip() throws {
        let text = #"{"a":"x\"y\\z\n\u00e9\ud83d\ude00","b":[true,false,null,-1.5e3],"c":{}}"#
        let value = try JSONValue.parse(Array(text.utf8))
        #expect(value["a"] == .string("x\"y\\z\né😀"))
        #expect(try JSONValue.parse(value.bytes) == value)
        #expect(throws: JSONValue.ParseError.self) { try JSONValue.parse(Array(#"{"a":}"#.utf8)) }
        #expect(throws: JSONValue.ParseError.self) { try JSONValue.parse(Array(#"{"a":1} x"#.utf8)) }
    }
}
