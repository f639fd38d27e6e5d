/// One declared argument of a ``Command``: a boolean flag, an option taking values, or a positional.
///
/// Names are long names without dashes, in kebab case (`"sample-users"`). Every long name and alias is also
/// accepted in its snake-case spelling (`--sample_users`); help shows the kebab form only.
///
/// ```swift
/// let arguments: [Argument] = [
///     .flag("verbose", short: "v", help: "Print progress."),
///     .option("top-k", short: "k", kind: .integer(1...1000), default: "10", help: "Items per user."),
///     .option("set", kind: .keyValue, repeating: true, help: "Override a config key."),
///     .positional("input", kind: .path, help: "Interactions CSV."),
/// ]
/// ```
public struct Argument: Sendable {
    /// How an argument appears on the command line.
    public enum Role: Sendable, Equatable {
        /// `--name` (or `-n`), no value.
        case flag
        /// `--name value`, `--name=value`, `-n value`, `-nvalue`.
        case option
        /// A bare value, bound by position.
        case positional
    }

    /// Flag, option or positional.
    public let role: Role
    /// The long name without dashes (kebab case), or the positional's name.
    public let name: String
    /// The one-letter short name (`-k`), if any.
    public let short: Character?
    /// The kind every value must have (`.string` for flags).
    public let kind: ValueKind
    /// The placeholder shown in help and usage (`<valueName>`); defaults to ``name``.
    public let valueName: String?
    /// The value used when the argument is not given; shown in help as `(default: …)`.
    public let defaultValue: String?
    /// An option that must be given, or a positional that is not optional.
    public let isRequired: Bool
    /// An option taking several values after one occurrence: `--users u1 u2 u3`.
    public let takesMultipleValues: Bool
    /// An option that may be given several times, accumulating values: `--set a=1 --set b=2`.
    public let isRepeating: Bool
    /// A positional taking all remaining positional values (must be the last positional).
    public let isVariadic: Bool
    /// One-sentence description shown in help.
    public let help: String
    /// Other long names accepted for this argument (kebab case, without dashes).
    public let aliases: [String]

    /// A boolean flag: `--name` or `-s`; ``Invocation/flag(_:)`` tells whether it was given.
    ///
    /// Giving a flag twice is allowed and means the same as once; `--name=value` is an error.
    public static func flag(_ name: String, short: Character? = nil, help: String, aliases: [String] = []) -> Argument {
        Argument(
            role: .flag, name: name, short: short, kind: .string, valueName: nil, defaultValue: nil,
            isRequired: false, takesMultipleValues: false, isRepeating: false, isVariadic: false, help: help,
            aliases: aliases)
    }

    /// An option taking a value: `--name value`, `--name=value`, `-s value`, `-svalue`.
    ///
    /// - Parameters:
    ///   - name: Long name without dashes (kebab case).
    ///   - short: Optional one-letter short name (a letter; `h` is reserved for help).
    ///   - kind: What the value must look like; checked at parse time.
    ///   - valueName: Placeholder for help (`--input <path>`); defaults to `name`.
    ///   - default: Value when not given (returned by ``Invocation/string(_:)``, not by ``Invocation/isSet(_:)``).
    ///   - required: Parsing fails with ``ParserError/missingRequired(_:command:)`` when absent.
    ///   - multiple: Several values after one occurrence, up to the next option or `--`.
    ///   - repeating: May be given several times; values accumulate. Otherwise a second occurrence is
    ///     ``ParserError/duplicateOption(_:command:)``.
    ///   - help: One-sentence description.
    ///   - aliases: Other accepted long names.
    public static func option(
        _ name: String, short: Character? = nil, kind: ValueKind = .string,
        valueName: String? = nil, default: String? = nil, required: Bool = false,
        multiple: Bool = false, repeating: Bool = false,
        help: String, aliases: [String] = []
    ) -> Argument {
        Argument(
            role: .option, name: name, short: short, kind: kind, valueName: valueName, defaultValue: `default`,
            isRequired: required, takesMultipleValues: multiple, isRepeating: repeating, isVariadic: false,
            help: help, aliases: aliases)
    }

    /// A positional argument, bound by order among the command's positionals.
    ///
    /// - Parameters:
    ///   - optional: May be absent. Optional positionals must follow required ones.
    ///   - variadic: Takes all remaining positional values (at least one unless `optional`); must be last.
    public static func positional(
        _ name: String, kind: ValueKind = .string, optional: Bool = false,
        variadic: Bool = false, help: String
    ) -> Argument {
        Argument(
            role: .positional, name: name, short: nil, kind: kind, valueName: nil, defaultValue: nil,
            isRequired: !optional, takesMultipleValues: false, isRepeating: false, isVariadic: variadic,
            help: help, aliases: [])
    }

    /// The long names this argument answers to, primary first, kebab form (no dashes).
    public var longNames: [String] { [name] + aliases }

    /// The placeholder text between angle brackets.
    var placeholder: String {
        if let valueName { return valueName }
        if case .keyValue = kind { return "key=value" }
        return name
    }

    /// How messages name this argument: `--top-k` for flags and options, `<input>` for positionals.
    var reference: ArgumentReference {
        role == .positional ? .positional(name) : .option("--" + name)
    }
}
