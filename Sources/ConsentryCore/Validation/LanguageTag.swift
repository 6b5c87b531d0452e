/// Well-formed BCP 47 (RFC 5646) language tags: language, optional script, region and
/// variants, e.g. `fr`, `pt-BR`, `zh-Hant-TW`, `sr-Latn-RS`, `es-419`. Extensions and
/// private use are not accepted: a preferred language needs neither.
public enum LanguageTag {
    public static func isValid(_ tag: String) -> Bool {
        let subtags = tag.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        guard let language = subtags.first, (2...3).contains(language.count), isAlpha(language) else { return false }
        var index = 1
        if index < subtags.count, subtags[index].count == 4, isAlpha(subtags[index]) { index += 1 }  // script
        if index < subtags.count {
            let region = subtags[index]
            if region.count == 2, isAlpha(region) {
                guard CountryCode.isValid(region.uppercased()) else { return false }
                index += 1
            } else if region.count == 3, region.allSatisfy({ $0.isASCII && $0.isNumber }) {
                index += 1
            }
        }
        while index < subtags.count {  // variants: 5-8 alphanumerics, or 4 starting with a digit
            let variant = subtags[index]
            let alnum = variant.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }
            let ok = alnum && ((5...8).contains(variant.count) || (variant.count == 4 && variant.first!.isNumber))
            guard ok else { return false }
            index += 1
        }
        return true
    }

    private static func isAlpha(_ s: String) -> Bool { s.allSatisfy { $0.isASCII && $0.isLetter } }
}
