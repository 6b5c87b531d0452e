import ConsentryCore
import Foundation
import Testing

@Suite("Customer validation")
struct ValidationTests {
    let validator = CustomerValidator(today: ISODate.parse("2026-11-27")!)

    func issues(_ profile: CustomerProfile) -> [String: String] {
        Dictionary(validator.issues(in: profile).map { ($0.path, $0.code) }, uniquingKeysWith: { a, _ in a })
    }

    @Test("Every bad field is reported with its path, and messages never echo the value")
    func pathsAndCodes() {
        let profile = CustomerProfile(
            engagedParty: .individual(Individual(
                givenName: " ", familyName: String(repeating: "x", count: 201), birthDate: "2030-01-01", gender: "robot",
                nationality: "XX", preferredLanguage: "english",
                individualIdentification: [Identification(identificationType: "nationalId", identificationId: "", validFor: TimePeriod(startDateTime: "2025-01-01", endDateTime: "2024-01-01"))])),
            contactMedium: [
                ContactMedium(mediumType: .email, characteristic: .init(emailAddress: "secret@@example")),
                ContactMedium(mediumType: .mobile, characteristic: .init(phoneNumber: "0612345678")),
                ContactMedium(mediumType: .postalAddress, characteristic: .init(city: "Lyon", country: "France")),
                ContactMedium(mediumType: .phone, characteristic: .init(emailAddress: "x@example.com", phoneNumber: "+33612345678")),
            ])
        let found = issues(profile)
        #expect(found["engagedParty.givenName"] == "required")
        #expect(found["engagedParty.familyName"] == "too_long")
        #expect(found["engagedParty.birthDate"] == "date_in_future")
        #expect(found["engagedParty.gender"] == "invalid_enum")
        #expect(found["engagedParty.nationality"] == "invalid_country")
        #expect(found["engagedParty.preferredLanguage"] == "invalid_language")
        #expect(found["engagedParty.individualIdentification[0].identificationId"] == "required")
        #expect(found["engagedParty.individualIdentification[0].validFor.endDateTime"] == "invalid_period")
        #expect(found["contactMedium[0].characteristic.emailAddress"] == "invalid_email")
        #expect(found["contactMedium[1].characteristic.phoneNumber"] == "invalid_phone")
        #expect(found["contactMedium[2].characteristic.country"] == "invalid_country")
        #expect(found["contactMedium[3].characteristic.emailAddress"] == "not_allowed")
        let messages = validator.issues(in: profile).map(\.message).joined()
        #expect(!messages.contains("secret") && !messages.contains("0612345678") && !messages.contains("robot"))
    }

    @Test("a fax number only on a fax medium, in E.164; a fax medium may give it instead of phoneNumber; contactType is bounded text")
    func faxAndContactType() {
        func medium(_ type: ContactMedium.MediumType, _ details: MediumCharacteristic) -> CustomerProfile {
            CustomerProfile(engagedParty: .organization(Organization(name: "Acme")), contactMedium: [ContactMedium(mediumType: type, characteristic: details)])
        }
        #expect(issues(medium(.fax, MediumCharacteristic(contactType: "work", faxNumber: "+4930123456"))).isEmpty)
        #expect(issues(medium(.fax, MediumCharacteristic(faxNumber: "030 123"))) == ["contactMedium[0].characteristic.faxNumber": "invalid_phone"])
        #expect(issues(medium(.mobile, MediumCharacteristic(phoneNumber: "+4917012345", faxNumber: "+4930123456")))
            == ["contactMedium[0].characteristic.faxNumber": "not_allowed"])
        #expect(issues(medium(.fax, MediumCharacteristic())) == ["contactMedium[0].characteristic.phoneNumber": "required"])
        #expect(issues(medium(.fax, MediumCharacteristic(contactType: String(repeating: "w", count: 51), faxNumber: "+4930123456")))
            .keys.contains("contactMedium[0].characteristic.contactType"))
    }

    @Test("A complete valid individual and organization pass")
    func validProfiles() throws {
        let person = CustomerProfile(
            engagedParty: .individual(Individual(givenName: "Zoë", familyName: "Lefèvre", birthDate: "2000-02-29", gender: "female", nationality: "FR", preferredLanguage: "fr-FR")),
            contactMedium: [ContactMedium(mediumType: .email, characteristic: .init(emailAddress: "zoe@example.com"))])
        #expect(validator.issues(in: person).isEmpty)
        let company = CustomerProfile(engagedParty: .organization(Organization(name: "Aurora AB", preferredLanguage: "sv")))
        #expect(validator.issues(in: company).isEmpty)
    }

    @Test("ISO dates, E.164, ISO 3166 and BCP 47", arguments: [
        ("2024-02-29", true), ("2023-02-29", false), ("2023-13-01", false), ("1999-1-01", false), ("2020-04-31", false),
    ])
    func isoDates(text: String, valid: Bool) {
        #expect((ISODate.parse(text) != nil) == valid)
    }

    @Test("Format checks")
    func formats() {
        #expect(PhoneNumber.isE164("+33612345678"))
        #expect(!PhoneNumber.isE164("+0612345678"))
        #expect(!PhoneNumber.isE164("+1234567890123456"))
        #expect(!PhoneNumber.isE164("33612345678"))
        #expect(CountryCode.isValid("FR") && CountryCode.isValid("JP") && !CountryCode.isValid("UK") && !CountryCode.isValid("fr"))
        #expect(CountryCode.assigned.count == 249)
        for tag in ["fr", "pt-BR", "zh-Hant-TW", "sr-Latn-RS", "es-419", "de-CH-1996", "ga-IE"] { #expect(LanguageTag.isValid(tag), "\(tag)") }
        for tag in ["english", "f", "pt-XX", "en--US", "en-US-x"] { #expect(!LanguageTag.isValid(tag), "\(tag)") }
        #expect(EmailAddress.isValid("first.last+tag@sub.example.co.uk"))
        for bad in ["a@b", "@example.com", "a..b@example.com", "a@-example.com", "a b@example.com"] { #expect(!EmailAddress.isValid(bad), "\(bad)") }
    }

    @Test("Blind-index normalisation")
    func normalisation() {
        #expect(BlindIndexField.email.normalize("  Zoe@Example.COM ") == "zoe@example.com")
        #expect(BlindIndexField.phone.normalize("+33 6 12-34-56-78") == "+33612345678")
        #expect(BlindIndexField.nationalId.normalize("fr 123-456") == "FR123456")
    }
}
