import Foundation

/// Why customer data is processed, and on what terms (DESIGN.md "Purpose").
public struct Purpose: Sendable, Equatable {
    public var id: String
    /// Customer-facing name and description by BCP 47 language tag; English is always there.
    public var name: LocalizedText
    public var description: LocalizedText
    /// The W3C DPV purpose (`dpv:ServiceProvision`...) this purpose is an instance of.
    public var dpvPurpose: String
    /// The fideslang data use (`essential.service.payment_processing`...).
    public var fidesDataUse: String
    public var legalBasis: LegalBasis
    /// Data category id → how the purpose may see it. A category not listed is withheld.
    public var categories: [String: Visibility]
    public var retention: Retention
    /// Present exactly when `legalBasis` is consent.
    public var consent: ConsentSettings?
    /// The version of the notice a customer is shown before giving consent.
    public var noticeVersion: String
    /// Set when the purpose makes decisions by automated means alone with legal or similarly
    /// significant effect (GDPR Art. 22): customers are told, and may ask for a human review.
    public var automatedDecision: AutomatedDecision?

    /// Art. 13(2)(f) and 15(1)(h): meaningful information about the logic involved, and the
    /// significance and envisaged consequences, in the words the policy gives.
    public struct AutomatedDecision: Sendable, Equatable {
        public var logic: LocalizedText
        public var significance: LocalizedText

        public init(logic: LocalizedText, significance: LocalizedText) {
            self.logic = logic
            self.significance = significance
        }
    }

    public enum Visibility: String, Sendable, Codable, CaseIterable {
        case plain, masked
    }

    /// How long data may be used for this purpose after an event.
    public struct Retention: Sendable, Equatable {
        public var period: ISODuration
        public var from: RetentionEvent

        public init(period: ISODuration, from: RetentionEvent) {
            self.period = period
            self.from = from
        }
    }

    public enum RetentionEvent: String, Sendable, CaseIterable, Codable {
        /// The customer relationship ended (status `inactive` or `closed`).
        case relationshipEnd = "relationship_end"
        /// The customer record was created.
        case collection
    }

    public struct ConsentSettings: Sendable, Equatable {
        /// A consent lapses this long after it was given, unless the record says otherwise.
        public var expiresAfter: ISODuration?
        /// Below this age a guardian (holder of parental responsibility) must consent (Art. 8).
        public var guardianRequiredUnderAge: Int

        public init(expiresAfter: ISODuration?, guardianRequiredUnderAge: Int) {
            self.expiresAfter = expiresAfter
            self.guardianRequiredUnderAge = guardianRequiredUnderAge
        }
    }

    public init(
        id: String, name: LocalizedText, description: LocalizedText, dpvPurpose: String, fidesDataUse: String,
        legalBasis: LegalBasis, categories: [String: Visibility], retention: Retention, consent: ConsentSettings?,
        noticeVersion: String, automatedDecision: AutomatedDecision? = nil
    ) {
        self.automatedDecision = automatedDecision
        self.id = id
        self.name = name
        self.description = description
        self.dpvPurpose = dpvPurpose
        self.fidesDataUse = fidesDataUse
        self.legalBasis = legalBasis
        self.categories = categories
        self.retention = retention
        self.consent = consent
        self.noticeVersion = noticeVersion
    }
}

/// Text in several languages, keyed by BCP 47 tag.
public struct LocalizedText: Sendable, Equatable {
    public var texts: [String: String]

    public init(_ texts: [String: String]) { self.texts = texts }

    /// The text in `language` (or its primary subtag), else English.
    public func text(for language: String?) -> String {
        if let language {
            if let exact = texts[language] { return exact }
            if let primary = language.split(separator: "-").first, let text = texts[String(primary)] { return text }
        }
        return texts["en"] ?? texts.values.sorted().first ?? ""
    }
}

extension ISODuration: Codable {
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let duration = ISODuration(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not an ISO 8601 duration"))
        }
        self = duration
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
