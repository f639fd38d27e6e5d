/// What a value of an option or positional argument must look like.
///
/// Every value is checked against its kind while the command line is parsed, so a command that receives an
/// ``Invocation`` can read typed values (``Invocation/int(_:)``, ``Invocation/double(_:)``) without checking
/// them again.
public enum ValueKind: Sendable, Equatable {
    /// Any text, including the empty string (`--name=`).
    case string
    /// A file or directory path; must not be empty. `-` is accepted (by convention standard input/output).
    case path
    /// A decimal integer (`42`, `-3`, `+7`), optionally restricted to a closed range checked at parse time.
    case integer(ClosedRange<Int>?)
    /// A finite `Double` in decimal or exponent notation: `1e-3`, `-0.5`, `.5`, `3`. `nan` and `inf` are rejected.
    case number
    /// One of a fixed list of spellings (case-sensitive). Errors and help list the allowed values.
    case choice([String])
    /// `key=value` where `key` is one or more non-empty dotted segments of letters, digits, `_` or `-`
    /// (`training.epochs=3`). The value may be empty.
    case keyValue
}

extension ValueKind {
    /// The phrase used in messages: "expects <phrase>, got 'x'".
    var expectation: String {
        switch self {
        case .string: return "a value"
        case .path: return "a path"
        case .integer(nil): return "an integer"
        case let .integer(range?): return "an integer " + range.phrase
        case .number: return "a number"
        case let .choice(values): return "one of \(values.joined(separator: ", "))"
        case .keyValue: return "key=value (e.g. training.epochs=3)"
        }
    }

    /// Whether a value of this kind may begin with `-` followed by digits (a negative number).
    var isNumeric: Bool {
        switch self {
        case .integer, .number: return true
        default: return false
        }
    }
}

extension ClosedRange<Int> {
    /// `≥ 1` for ranges open above, `in 1...8` otherwise (Int.max is nobody's real limit).
    var phrase: String {
        if upperBound == Int.max { return "≥ \(lowerBound)" }
        if lowerBound == Int.min { return "≤ \(upperBound)" }
        return "in \(lowerBound)...\(upperBound)"
    }
}
