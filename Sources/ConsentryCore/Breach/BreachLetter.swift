import Foundation

/// The letter that tells one customer of a breach (GDPR Art. 34(2)): in plain language, in
/// the customer's language where the operator has it (English and German here), with the
/// nature of the breach, the DPO's contact, the likely consequences and the measures taken.
public struct BreachLetter: Sendable, Equatable {
    public var customerID: String
    public var language: String
    public var salutationName: String?
    public var text: String

    /// - Parameter law: the law of the customer's jurisdiction, which the letter cites.
    public init(
        customerID: String, name: String?, language: String?, law: String, breach: PersonalDataBreach, controller: ControllerIdentity,
        categories: [String: DataCategory]
    ) {
        let language = (language?.split(separator: "-").first.map(String.init)).flatMap { Self.texts[$0] != nil ? $0 : nil } ?? "en"
        let t = Self.texts[language]!
        self.customerID = customerID
        self.language = language
        salutationName = name
        let categoryList = breach.categories.map { categories[$0]?.description ?? $0 }.joined(separator: "; ")
        text = [
            name.map { t.greeting + " " + $0 + "," } ?? t.greetingAnonymous,
            t.opening(ISODate.format(breach.discoveredAt), law),
            t.what + " " + breach.description,
            t.data + " " + (categoryList.isEmpty ? "-" : categoryList),
            t.consequences + " " + breach.consequences,
            t.measures + " " + breach.measures,
            t.contact(controller.dpo.name, controller.dpo.email),
            t.closing,
            controller.name,
        ].joined(separator: "\n\n")
    }

    struct Texts: Sendable {
        var greeting: String
        var greetingAnonymous: String
        var opening: @Sendable (String, String) -> String
        var what: String
        var data: String
        var consequences: String
        var measures: String
        var contact: @Sendable (String, String) -> String
        var closing: String
    }

    static let texts: [String: Texts] = [
        "en": Texts(
            greeting: "Dear", greetingAnonymous: "Dear customer,",
            opening: { "On \($0) we found that personal data about you was affected by a security incident. The law requires us to tell you (\($1)), and we want you to know what happened and what you can do." },
            what: "What happened:", data: "Which of your data:", consequences: "What this may mean for you:", measures: "What we have done, and what you can do:",
            contact: { "Questions: write to our \($0) at \($1). You may also complain to a data protection supervisory authority." },
            closing: "We are sorry this happened."),
        "de": Texts(
            greeting: "Guten Tag", greetingAnonymous: "Sehr geehrte Kundin, sehr geehrter Kunde,",
            opening: { "Am \($0) haben wir festgestellt, dass personenbezogene Daten über Sie von einem Sicherheitsvorfall betroffen waren. Das Gesetz verpflichtet uns, Sie zu informieren (\($1)), und wir möchten, dass Sie wissen, was geschehen ist und was Sie tun können." },
            what: "Was geschehen ist:", data: "Welche Ihrer Daten:", consequences: "Was das für Sie bedeuten kann:", measures: "Was wir getan haben und was Sie tun können:",
            contact: { "Fragen richten Sie bitte an unsere(n) \($0): \($1). Sie können sich auch bei einer Datenschutz-Aufsichtsbehörde beschweren." },
            closing: "Wir bedauern diesen Vorfall."),
    ]
}
