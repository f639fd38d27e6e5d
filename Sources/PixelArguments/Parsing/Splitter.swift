/// One command-line word, classified without knowing the command's declarations.
struct Token: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        /// `--name` or `--name=value` (`value` is `""` for `--name=`).
        case long(name: String, value: String?)
        /// `-abc`: the characters after the dash (a cluster of short names, possibly ending in a value).
        case short(String)
        /// A plain word, `-` alone, a negative number, or any word after `--`.
        case value(String)
        /// `--`: every later word is a positional value.
        case terminator
    }

    let kind: Kind
    /// The word exactly as given.
    let raw: String
}

/// The "split" step: turns argument words into ``Token``s.
enum Splitter {
    static func split(_ arguments: [String]) -> [Token] {
        var tokens: [Token] = []
        tokens.reserveCapacity(arguments.count)
        var optionsEnded = false
        for word in arguments {
            tokens.append(Token(kind: optionsEnded ? .value(word) : classify(word), raw: word))
            if !optionsEnded, word == "--" { optionsEnded = true }
        }
        return tokens
    }

    static func classify(_ word: String) -> Token.Kind {
        if word == "--" { return .terminator }
        if word.hasPrefix("--") {
            let body = word.dropFirst(2)
            if let equals = body.firstIndex(of: "=") {
                return .long(name: String(body[..<equals]), value: String(body[body.index(after: equals)...]))
            }
            return .long(name: String(body), value: nil)
        }
        if word.hasPrefix("-"), word.count > 1, !ValueDecoder.isNegativeNumber(word) {
            return .short(String(word.dropFirst()))
        }
        return .value(word)
    }
}
