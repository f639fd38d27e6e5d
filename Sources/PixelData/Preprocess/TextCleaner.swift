import Foundation

/// Which text cleaning steps run, in this order: HTML tags, HTML entities, NFKC, whitespace, case.
public struct TextCleaningOptions: Sendable, Equatable {
    /// Remove `<tag …>` / `</tag>` / `<!-- … -->` markup (a `<` not followed by a letter, `/` or `!` is kept). Default true.
    public var stripHTML = true
    /// Decode `&amp;`, `&#39;`, `&#x27;` and the common named entities. Default true.
    public var decodeEntities = true
    /// Unicode NFKC normalisation (compatibility composition: `ﬁ` → `fi`, full-width → ASCII). Default true.
    public var normalizeNFKC = true
    /// Collapse runs of whitespace (incl. newlines, tabs, NBSP) to one space and trim. Default true.
    public var collapseWhitespace = true
    /// Lowercase. Default true.
    public var lowercase = true

    public init(
        stripHTML: Bool = true, decodeEntities: Bool = true, normalizeNFKC: Bool = true,
        collapseWhitespace: Bool = true, lowercase: Bool = true
    ) {
        self.stripHTML = stripHTML
        self.decodeEntities = decodeEntities
        self.normalizeNFKC = normalizeNFKC
        self.collapseWhitespace = collapseWhitespace
        self.lowercase = lowercase
    }
}

/// Cleans item text (titles, tags, descriptions) as configured by `TextCleaningOptions`.
public struct TextCleaner: Sendable {
    public let options: TextCleaningOptions

    public init(options: TextCleaningOptions = .init()) { self.options = options }

    static let entities: [String: String] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": "\u{00A0}", "mdash": "—", "ndash": "–",
        "hellip": "…", "rsquo": "’", "lsquo": "‘", "rdquo": "”", "ldquo": "“", "copy": "©", "reg": "®", "trade": "™",
        "eacute": "é", "egrave": "è", "aacute": "á", "agrave": "à", "ouml": "ö", "uuml": "ü", "auml": "ä", "szlig": "ß",
        "ccedil": "ç", "ntilde": "ñ", "middot": "·", "bull": "•", "laquo": "«", "raquo": "»", "deg": "°", "times": "×",
    ]

    /// The cleaned text.
    public func clean(_ text: String) -> String {
        var result = text
        if options.stripHTML { result = Self.stripTags(result) }
        if options.decodeEntities { result = Self.decodeEntities(result) }
        if options.normalizeNFKC { result = result.precomposedStringWithCompatibilityMapping }
        if options.collapseWhitespace { result = Self.collapse(result) }
        if options.lowercase { result = result.lowercased() }
        return result
    }

    static func stripTags(_ text: String) -> String {
        guard text.contains("<") else { return text }
        var output = String.UnicodeScalarView()
        let scalars = Array(text.unicodeScalars)
        var k = 0
        while k < scalars.count {
            let c = scalars[k]
            if c == "<", k + 1 < scalars.count {
                let next = scalars[k + 1]
                if next.properties.isAlphabetic || next == "/" || next == "!" {
                    // Comments end at "-->", tags at ">"; an unclosed tag is kept as text.
                    let isComment =
                        next == "!" && k + 3 < scalars.count && scalars[k + 2] == "-" && scalars[k + 3] == "-"
                    var j = k + 1
                    var closed = false
                    while j < scalars.count {
                        if scalars[j] == ">"
                            && (!isComment || (j >= 2 && scalars[j - 1] == "-" && scalars[j - 2] == "-"))
                        {
                            closed = true
                            break
                        }
                        j += 1
                    }
                    if closed {
                        output.append(" ")  // tags separate words (`a<br>b` → `a b`)
                        k = j + 1
                        continue
                    }
                }
            }
            output.append(c)
            k += 1
        }
        return String(output)
    }

    static func decodeEntities(_ text: String) -> String {
        guard text.contains("&") else { return text }
        var output = String.UnicodeScalarView()
        let scalars = Array(text.unicodeScalars)
        var k = 0
        while k < scalars.count {
            if scalars[k] == "&" {
                var j = k + 1
                while j < scalars.count && j - k <= 10 && scalars[j] != ";" && scalars[j] != "&" && scalars[j] != " " {
                    j += 1
                }
                if j < scalars.count && scalars[j] == ";" {
                    let name = String(String.UnicodeScalarView(scalars[(k + 1)..<j]))
                    var decoded: String?
                    if name.hasPrefix("#x") || name.hasPrefix("#X") {
                        decoded = UInt32(name.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init).map { String($0) }
                    } else if name.hasPrefix("#") {
                        decoded = UInt32(name.dropFirst()).flatMap(Unicode.Scalar.init).map { String($0) }
                    } else {
                        decoded = entities[name]
                    }
                    if let decoded {
                        output.append(contentsOf: decoded.unicodeScalars)
                        k = j + 1
                        continue
                    }
                }
            }
            output.append(scalars[k])
            k += 1
        }
        return String(output)
    }

    static func collapse(_ text: String) -> String {
        var output = String.UnicodeScalarView()
        var pendingSpace = false
        for scalar in text.unicodeScalars {
            if scalar.properties.isWhitespace || scalar == "\u{00A0}" {
                pendingSpace = !output.isEmpty
                continue
            }
            if pendingSpace {
                output.append(" ")
                pendingSpace = false
            }
            output.append(scalar)
        }
        return String(output)
    }
}
