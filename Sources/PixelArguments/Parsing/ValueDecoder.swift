/// Checks one value against its ``ValueKind`` (the "decode" step of split → match → decode → validate).
enum ValueDecoder {
    /// Throws ``ParserError/invalidValue(_:value:kind:suggestion:)`` when `value` does not fit `kind`.
    static func check(_ value: String, kind: ValueKind, for argument: ArgumentReference) throws(ParserError) {
        let fits: Bool
        switch kind {
        case .string:
            fits = true
        case .path:
            fits = !value.isEmpty
        case let .integer(range):
            if let n = Int(value) { fits = range.map { $0.contains(n) } ?? true } else { fits = false }
        case .number:
            fits = finiteDouble(value) != nil
        case let .choice(values):
            if !values.contains(value) {
                throw .invalidValue(
                    argument, value: value, kind: kind, suggestion: Suggestion.closest(to: value, among: values))
            }
            fits = true
        case .keyValue:
            fits = isKeyValue(value)
        }
        if !fits { throw .invalidValue(argument, value: value, kind: kind, suggestion: nil) }
    }

    /// Whether `value` decodes as `kind` (used to check declared defaults).
    static func fits(_ value: String, kind: ValueKind) -> Bool {
        do {
            try check(value, kind: kind, for: .option(""))
            return true
        } catch {
            return false
        }
    }

    /// A finite `Double` written in decimal or exponent notation; hexadecimal, `nan` and `inf` are rejected.
    static func finiteDouble(_ text: String) -> Double? {
        let allowed = text.allSatisfy { $0.isASCII && ($0.isNumber || "+-.eE".contains($0)) }
        guard allowed, text.contains(where: \.isNumber), let x = Double(text), x.isFinite else { return nil }
        return x
    }

    /// Whether `text` starts with `-` and is a number: such a token is a value, never an option
    /// (short names are letters).
    static func isNegativeNumber(_ text: String) -> Bool {
        guard text.count > 1, text.first == "-" else { return false }
        let second = text[text.index(after: text.startIndex)]
        return (second.isNumber || second == ".") && finiteDouble(text) != nil
    }

    /// `a.b_c-d=value`: dotted non-empty key segments of letters, digits, `_`, `-`; any value.
    static func isKeyValue(_ text: String) -> Bool {
        guard let equals = text.firstIndex(of: "=") else { return false }
        let segments = text[..<equals].split(separator: ".", omittingEmptySubsequences: false)
        return segments.allSatisfy { segment in
            !segment.isEmpty
                && segment.allSatisfy { ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "_" || $0 == "-" }
        }
    }
}
