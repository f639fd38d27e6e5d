import Foundation

/// BERT's normalizer and pre-tokenizer (`BertNormalizer` + `BertPreTokenizer` in Hugging Face
/// `tokenizers`): clean control characters, pad CJK ideographs with spaces, lowercase, strip accents
/// (NFD, drop Mn marks), then split on whitespace and isolate each punctuation character.
struct BertPreTokenizer: Sendable, Equatable {
    var cleanText = true
    var handleChineseChars = true
    var lowercase = true
    /// `nil` follows `lowercase`, as in Hugging Face.
    var stripAccents: Bool? = nil

    /// The normalized text split into words.
    func words(_ text: String) -> [String] {
        var normalized = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if cleanText {
                if scalar.value == 0 || scalar.value == 0xFFFD || UnicodeClasses.isBertControl(scalar) { continue }
                if UnicodeClasses.isBertWhitespace(scalar) {
                    normalized.append(" ")
                    continue
                }
            }
            if handleChineseChars && UnicodeClasses.isCJK(scalar) {
                normalized.append(" ")
                normalized.append(scalar)
                normalized.append(" ")
            } else {
                normalized.append(scalar)
            }
        }
        var string = String(normalized)
        if lowercase { string = string.lowercased() }
        if stripAccents ?? lowercase {
            var stripped = String.UnicodeScalarView()
            for scalar in string.decomposedStringWithCanonicalMapping.unicodeScalars
            where scalar.properties.generalCategory != .nonspacingMark {
                stripped.append(scalar)
            }
            string = String(stripped)
        }
        var words: [String] = []
        var current = String.UnicodeScalarView()
        func flush() {
            if !current.isEmpty {
                words.append(String(current))
                current = String.UnicodeScalarView()
            }
        }
        for scalar in string.unicodeScalars {
            if UnicodeClasses.isWhitespace(scalar) {
                flush()
            } else if UnicodeClasses.isBertPunctuation(scalar) {
                flush()
                words.append(String(scalar))
            } else {
                current.append(scalar)
            }
        }
        flush()
        return words
    }
}
