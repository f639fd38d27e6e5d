/// Resolution of plain scalars to null, booleans and numbers, and quoting of strings for output.
///
/// Follows what PyYAML (YAML 1.1) reads, so a file written for the Python framework means the same here:
/// `yes`/`no`/`on`/`off` are booleans, `1_000` is an integer. Unlike PyYAML, `1e-6` (no dot) is also a number.
enum YAMLScalar {
    /// The result of reading an integer.
    enum IntegerReading: Equatable {
        case value(Int)
        case notAnInteger
        case tooLarge
    }

    static func isNull(_ text: String) -> Bool {
        text.isEmpty || text == "~" || text == "null" || text == "Null" || text == "NULL"
    }

    static func bool(_ text: String) -> Bool? {
        switch text {
        case "true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON": return true
        case "false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF": return false
        default: return nil
        }
    }

    /// Decimal (`-42`, `1_000`), hexadecimal (`0x2A`) or octal (`0o52`) integers.
    static func integer(_ text: String) -> IntegerReading {
        var scalars = Substring(text)
        var negative = false
        if let first = scalars.first, first == "-" || first == "+" {
            negative = first == "-"
            scalars = scalars.dropFirst()
        }
        var radix = 10
        if scalars.hasPrefix("0x") || scalars.hasPrefix("0X") {
            radix = 16
            scalars = scalars.dropFirst(2)
        } else if scalars.hasPrefix("0o") || scalars.hasPrefix("0O") {
            radix = 8
            scalars = scalars.dropFirst(2)
        }
        guard let first = scalars.first, first != "_" else { return .notAnInteger }
        var value = 0
        var overflow = false
        for character in scalars where character != "_" {
            guard let digit = character.hexDigitValue, digit < radix else { return .notAnInteger }
            if overflow { continue }
            let (shifted, o1) = value.multipliedReportingOverflow(by: radix)
            let (added, o2) =
                negative ? shifted.subtractingReportingOverflow(digit) : shifted.addingReportingOverflow(digit)
            if o1 || o2 { overflow = true } else { value = added }
        }
        return overflow ? .tooLarge : .value(value)
    }

    /// Integers and decimal floating-point numbers (`0.001`, `1e-6`, `.5`, `-1.5E+3`), `.inf` and `.nan`.
    static func double(_ text: String) -> Double? {
        if case let .value(integer) = integer(text) { return Double(integer) }
        var body = Substring(text)
        var sign = 1.0
        if let first = body.first, first == "-" || first == "+" {
            sign = first == "-" ? -1 : 1
            body = body.dropFirst()
        }
        switch body {
        case ".inf", ".Inf", ".INF": return sign * .infinity
        case ".nan", ".NaN", ".NAN": return text == body ? .nan : nil
        default: break
        }
        // mantissa: digits [. digits] | . digits ; exponent: [eE] [+-] digits
        var digitsBefore = 0
        var digitsAfter = 0
        var index = body.startIndex
        func skipDigits(_ count: inout Int) {
            while index < body.endIndex, body[index].isASCII, body[index].isNumber || body[index] == "_" {
                if body[index] != "_" { count += 1 }
                index = body.index(after: index)
            }
        }
        skipDigits(&digitsBefore)
        if index < body.endIndex, body[index] == "." {
            index = body.index(after: index)
            skipDigits(&digitsAfter)
        }
        guard digitsBefore + digitsAfter > 0 else { return nil }
        if index < body.endIndex, body[index] == "e" || body[index] == "E" {
            index = body.index(after: index)
            if index < body.endIndex, body[index] == "+" || body[index] == "-" { index = body.index(after: index) }
            var exponentDigits = 0
            skipDigits(&exponentDigits)
            guard exponentDigits > 0 else { return nil }
        }
        guard index == body.endIndex else { return nil }
        guard let magnitude = Double(body.filter { $0 != "_" }) else { return nil }
        return sign * magnitude
    }

    /// `text` in double quotes with escapes, cut to 60 characters, for one-line error messages.
    static func quotedForMessage(_ text: String) -> String {
        "\"" + forMessage(text) + "\""
    }

    /// `text` with control characters and line breaks escaped, cut to `limit` characters (`nil`: whole),
    /// so that user-written names cannot break a message over several lines.
    static func forMessage(_ text: String, limit: Int? = 60) -> String {
        var shown = text
        if let limit, shown.count > limit { shown = String(shown.prefix(limit - 3)) + "..." }
        return escaped(shown)
    }

    /// Backslash escapes for a YAML double-quoted scalar (also valid in a one-line message).
    static func escaped(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\t": result += "\\t"
            case "\r": result += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F || (0x80...0x9F).contains(scalar.value)
                    || scalar.value == 0xFEFF || (0xD800...0xDFFF).contains(scalar.value)
                    || scalar.value == 0xFFFE || scalar.value == 0xFFFF || scalar.value == 0x2028
                    || scalar.value == 0x2029
                {
                    result +=
                        scalar.value <= 0xFF ? "\\x" + hex(scalar.value, width: 2) : "\\u" + hex(scalar.value, width: 4)
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result
    }

    private static func hex(_ value: UInt32, width: Int) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    /// `text` as a YAML scalar that reads back as the same string: plain when that is unambiguous
    /// (paths, names), otherwise double-quoted with escapes.
    static func emitString(_ text: String) -> String {
        if isSafePlain(text) { return text }
        return "\"" + escaped(text) + "\""
    }

    private static func isSafePlain(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first else { return false }
        guard
            first.properties.isAlphabetic || first == "_" || first == "/"
                || (first.value < 0x80 && first.properties.numericType != nil)
        else { return false }
        for scalar in text.unicodeScalars {
            let allowed =
                scalar.value < 0x80
                ? (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)
                    || "_-./@+".unicodeScalars.contains(scalar))
                : false
            if !allowed { return false }
        }
        // A plain scalar that would read as something other than a string must be quoted.
        if isNull(text) || bool(text) != nil || double(text) != nil { return false }
        return true
    }
}
