import ConsentryCore
import Foundation

/// Deterministic synthetic customers for fixtures, tests and benchmarks. No real people:
/// names are combined at random, emails use reserved domains (`example.com`, `example.org`,
/// `.test`), national ids are random.
public struct SyntheticCustomers: Sendable {
    public var seed: UInt64
    /// Fraction of customers that are organizations.
    public var organizationShare = 0.15
    /// Fraction of individuals that are minors with a guardian.
    public var minorShare = 0.08
    public var today: Date

    public init(seed: UInt64 = 2026, today: Date = ISODate.parse("2026-11-27")!) {
        self.seed = seed
        self.today = today
    }

    struct Locale {
        var country: String
        var language: String
        var dialCode: String
        var givenNames: [String]
        var familyNames: [String]
        var cities: [(String, String)]
        var streets: [String]
    }

    static let locales: [Locale] = [
        Locale(country: "FR", language: "fr-FR", dialCode: "+336", givenNames: ["Zoë", "Élodie", "François", "Maëlle", "Jérôme", "Anaïs", "Loïc", "Hélène"],
               familyNames: ["Lefèvre", "Dubois", "Moreau", "Girard", "Bénard", "Faure"], cities: [("Lyon", "69002"), ("Nantes", "44000"), ("Lille", "59000")],
               streets: ["rue des Écoles", "avenue Jean Jaurès", "place du Marché"]),
        Locale(country: "DE", language: "de-DE", dialCode: "+4915", givenNames: ["Jürgen", "Käthe", "Lukas", "Sophie", "Björn", "Müge"],
               familyNames: ["Müller", "Schröder", "Weiß", "Köhler", "Groß"], cities: [("Köln", "50667"), ("München", "80331"), ("Leipzig", "04109")],
               streets: ["Hauptstraße", "Gartenweg", "Lindenallee"]),
        Locale(country: "ES", language: "es-ES", dialCode: "+346", givenNames: ["José", "María", "Íñigo", "Lucía", "Begoña", "Ramón"],
               familyNames: ["Núñez", "García", "Peña", "Ibáñez", "Muñoz"], cities: [("Sevilla", "41001"), ("Bilbao", "48001")],
               streets: ["Calle Mayor", "Avenida de la Constitución"]),
        Locale(country: "PL", language: "pl-PL", dialCode: "+485", givenNames: ["Łukasz", "Zofia", "Wojciech", "Małgorzata", "Paweł"],
               familyNames: ["Wiśniewski", "Wójcik", "Kamińska", "Łęcka"], cities: [("Kraków", "30-001"), ("Gdańsk", "80-001")],
               streets: ["ulica Długa", "ulica Świętojańska"]),
        Locale(country: "SE", language: "sv-SE", dialCode: "+467", givenNames: ["Åsa", "Sören", "Björk", "Örjan", "Linnéa"],
               familyNames: ["Åström", "Lindqvist", "Öberg", "Sjögren"], cities: [("Göteborg", "411 01"), ("Malmö", "211 01")],
               streets: ["Storgatan", "Kungsgatan"]),
        Locale(country: "GR", language: "el-GR", dialCode: "+3069", givenNames: ["Αλέξανδρος", "Ελένη", "Νίκος", "Μαρία"],
               familyNames: ["Παπαδόπουλος", "Γεωργίου", "Οικονόμου"], cities: [("Αθήνα", "105 52"), ("Θεσσαλονίκη", "546 21")],
               streets: ["Οδός Ερμού", "Λεωφόρος Συγγρού"]),
        Locale(country: "JP", language: "ja-JP", dialCode: "+8190", givenNames: ["太郎", "花子", "陽翔", "結衣"],
               familyNames: ["山田", "佐藤", "鈴木", "高橋"], cities: [("大阪市", "530-0001"), ("札幌市", "060-0001")],
               streets: ["中央通り", "桜町"]),
        Locale(country: "PT", language: "pt-PT", dialCode: "+3519", givenNames: ["João", "Inês", "Gonçalo", "Conceição"],
               familyNames: ["Gonçalves", "Simões", "Magalhães"], cities: [("Porto", "4000-001"), ("Braga", "4700-001")],
               streets: ["Rua da Alegria", "Avenida da Liberdade"]),
        Locale(country: "IE", language: "ga-IE", dialCode: "+3538", givenNames: ["Siobhán", "Seán", "Aoife", "Pádraig"],
               familyNames: ["Ó Briain", "Ní Mhurchú", "Mac Cárthaigh"], cities: [("Gaillimh", "H91"), ("Corcaigh", "T12")],
               streets: ["Sráid na Siopaí", "Bóthar na Trá"]),
    ]

    static let companyWords = ["Nordlicht", "Azul", "Kestrel", "Solène", "Wisła", "Fjäril", "Olivera", "Brückner", "Aurora", "Marea"]
    static let companySuffixes = ["GmbH", "SARL", "S.L.", "sp. z o.o.", "AB", "Lda", "Ltd"]

    /// The `index`-th customer (0-based). Minors name as guardian an adult generated earlier.
    public func draft(_ index: Int) -> CustomerDraft {
        var rng = SplitMix64(seed: seed &+ UInt64(index) &* 0x9E37_79B9_7F4A_7C15)
        let locale = Self.locales[Int(rng.next() % UInt64(Self.locales.count))]
        let externalId = String(format: "LEG-%07d", index + 1)
        let roll = Double(rng.next() % 10_000) / 10_000
        var media: [ContactMedium] = []
        let party: Party
        var related: [RelatedParty] = []
        let phoneDigits = String(format: "%08llu", rng.next() % 100_000_000)
        let (city, postCode) = locale.cities[Int(rng.next() % UInt64(locale.cities.count))]
        let street = "\(rng.next() % 180 + 1) \(locale.streets[Int(rng.next() % UInt64(locale.streets.count))])"
        let address = ContactMedium(mediumType: .postalAddress, characteristic: .init(street1: street, city: city, postCode: postCode, country: locale.country))
        if roll < organizationShare {
            let name = "\(Self.companyWords[Int(rng.next() % UInt64(Self.companyWords.count))]) \(Self.companyWords[Int(rng.next() % UInt64(Self.companyWords.count))]) \(Self.companySuffixes[Int(rng.next() % UInt64(Self.companySuffixes.count))])"
            party = .organization(Organization(
                name: name, tradingName: index % 3 == 0 ? name.components(separatedBy: " ").first : nil, organizationType: "company",
                preferredLanguage: locale.language,
                organizationIdentification: [Identification(identificationType: "vatNumber", identificationId: "\(locale.country)\(String(format: "%09llu", rng.next() % 1_000_000_000))", issuingAuthority: locale.country)]))
            media.append(ContactMedium(mediumType: .email, preferred: true, characteristic: .init(emailAddress: "billing.\(index + 1)@example.org")))
            media.append(ContactMedium(mediumType: .phone, characteristic: .init(phoneNumber: locale.dialCode + phoneDigits)))
            media.append(address)
        } else {
            let given = locale.givenNames[Int(rng.next() % UInt64(locale.givenNames.count))]
            let family = locale.familyNames[Int(rng.next() % UInt64(locale.familyNames.count))]
            let minor = index > 10 && Double(rng.next() % 10_000) / 10_000 < minorShare
            let age = minor ? Int(rng.next() % 10) + 6 : Int(rng.next() % 60) + 19
            let birth = Calendar(identifier: .gregorian).date(byAdding: .day, value: -(age * 365 + Int(rng.next() % 300)), to: today)!
            if minor {
                // A guardian among the 10 customers before; the generator ensures index-1..index-10 include individuals often.
                related.append(RelatedParty(externalId: String(format: "LEG-%07d", guardianIndex(before: index) + 1), role: "guardian"))
            }
            party = .individual(Individual(
                title: nil, givenName: given, familyName: family, birthDate: ISODate.format(birth),
                gender: ["female", "male", "nonBinary", "undisclosed"][Int(rng.next() % 4)], nationality: locale.country,
                preferredLanguage: locale.language,
                individualIdentification: minor ? [] : [Identification(
                    identificationType: "nationalId", identificationId: "\(locale.country)\(String(format: "%010llu", rng.next() % 10_000_000_000))",
                    issuingAuthority: locale.country, validFor: TimePeriod(startDateTime: "2020-01-01", endDateTime: "2030-01-01"))]))
            let slug = (Self.slugs[given] ?? "customer") + "." + (Self.slugs[family] ?? "customer")
            media.append(ContactMedium(mediumType: .email, preferred: true, characteristic: .init(emailAddress: "\(slug).\(index + 1)@example.com")))
            media.append(ContactMedium(mediumType: .mobile, characteristic: .init(phoneNumber: locale.dialCode + phoneDigits)))
            if index % 4 == 0 {
                media.append(ContactMedium(mediumType: .email, characteristic: .init(emailAddress: "\(slug).\(index + 1)@mail.test")))
            }
            media.append(address)
        }
        return CustomerDraft(
            externalId: externalId, status: .active,
            profile: CustomerProfile(
                engagedParty: party, contactMedium: media,
                characteristic: [Characteristic(name: "segment", value: roll < organizationShare ? "business" : ["consumer", "youth", "premium"][index % 3])],
                relatedParty: related, loginSubject: "idp|\(String(format: "%08x", index + 1))"))
    }

    /// A previous customer that is an adult individual, to act as guardian.
    func guardianIndex(before index: Int) -> Int {
        for candidate in stride(from: index - 1, through: 0, by: -1) {
            if case .individual(let person) = draft(candidate).profile.engagedParty,
               !person.individualIdentification.isEmpty, draft(candidate).profile.relatedParty.isEmpty {
                return candidate
            }
        }
        return 0
    }

    /// ASCII forms of every name, computed once (ICU transliteration is slow).
    static let slugs: [String: String] = {
        let names = locales.flatMap { $0.givenNames + $0.familyNames }
        return Dictionary(names.map { ($0, asciiSlug($0)) }, uniquingKeysWith: { a, _ in a })
    }()

    static func asciiSlug(_ text: String) -> String {
        let folded = text.applyingTransform(.toLatin, reverse: false)?.applyingTransform(.stripDiacritics, reverse: false) ?? text
        let slug = folded.lowercased().filter { $0.isASCII && ($0.isLetter || $0.isNumber) }
        return slug.isEmpty ? "customer" : slug
    }

    /// The JSON Lines encoding of a draft, as `consentry import` reads it.
    public static func jsonLine(_ draft: CustomerDraft) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(draft)
        data.append(0x0A)
        return data
    }
}

extension SyntheticCustomers {
    public static let csvHeader = "externalId,type,status,givenName,familyName,organizationName,birthDate,gender,nationality,preferredLanguage,email,mobile,phone,street1,city,postCode,country,nationalIdType,nationalId,loginSubject,segment"

    /// The flat CSV form of a draft (first email, phone and address only), as legacy CRMs export.
    public static func csvLine(_ draft: CustomerDraft) -> String {
        let p = draft.profile
        func medium(_ type: ContactMedium.MediumType) -> MediumCharacteristic? { p.contactMedium.first { $0.mediumType == type }?.characteristic }
        let address = medium(.postalAddress)
        let identification = p.engagedParty.identifications.first
        var columns: [String?]
        switch p.engagedParty {
        case .individual(let person):
            columns = [draft.externalId, "Individual", draft.status.rawValue, person.givenName, person.familyName, nil, person.birthDate,
                       person.gender, person.nationality, person.preferredLanguage]
        case .organization(let organization):
            columns = [draft.externalId, "Organization", draft.status.rawValue, nil, nil, organization.name, nil, nil, nil, organization.preferredLanguage]
        }
        columns += [medium(.email)?.emailAddress, medium(.mobile)?.phoneNumber, medium(.phone)?.phoneNumber, address?.street1, address?.city,
                    address?.postCode, address?.country, identification?.identificationType, identification?.identificationId, p.loginSubject,
                    p.characteristic.first?.value]
        return columns.map { value in
            guard let value else { return "" }
            return value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : value
        }.joined(separator: ",")
    }
}

/// A small, fast, seedable generator (SplitMix64), so fixtures are reproducible.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
