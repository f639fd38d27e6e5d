/// Why a command line was rejected. Every case prints as one line; the tool exits with ``exitCode`` (2).
///
/// `command` is the path of the command being parsed when the problem was found (`["pixelrec", "train"]`);
/// messages about the command line's shape end with a hint to that command's help.
public enum ParserError: Error, Equatable, Sendable, CustomStringConvertible {
    /// An option or flag not declared for the command (`spelling` as typed, before any `=`), with the
    /// closest declared spelling when one is near.
    case unknownOption(String, command: [String], suggestion: String?)
    /// A word that is not a subcommand of a command that needs one.
    case unknownSubcommand(String, command: [String], suggestion: String?)
    /// An option at the end of the command line or followed by another option or `--`.
    case missingValue(ArgumentReference, valueName: String, command: [String])
    /// A value of the wrong kind, out of range, or not among the choices; `suggestion` is the closest choice.
    case invalidValue(ArgumentReference, value: String, kind: ValueKind, suggestion: String?)
    /// A required option or positional that was not given.
    case missingRequired(ArgumentReference, command: [String])
    /// A positional value the command has no place for.
    case unexpectedArgument(String, command: [String])
    /// A non-repeating option given more than once.
    case duplicateOption(ArgumentReference, command: [String])
    /// A flag given a value (`--verbose=yes`, `-v=1`).
    case unexpectedValue(ArgumentReference, value: String, command: [String])
    /// A command that groups subcommands was invoked without one.
    case missingSubcommand(command: [String], available: [String])

    /// Always 2 (usage error), as for other Unix tools.
    public var exitCode: Int32 { 2 }

    /// One line, e.g. `option '--epochs' expects an integer, got 'ten'`.
    public var description: String {
        switch self {
        case let .unknownOption(spelling, command, suggestion):
            return "unknown option '\(spelling)' for '\(Self.display(command))'"
                + Self.didYouMean(suggestion) + Self.seeHelp(command)
        case let .unknownSubcommand(word, command, suggestion):
            return "unknown subcommand '\(word)' for '\(Self.display(command))'"
                + Self.didYouMean(suggestion) + Self.seeHelp(command)
        case let .missingValue(argument, valueName, _):
            return "\(argument) expects a value (<\(valueName)>)"
        case let .invalidValue(argument, value, kind, suggestion):
            switch kind {
            case let .choice(values):
                return "\(argument): '\(value)' is not one of \(values.joined(separator: ", "))"
                    + Self.didYouMean(suggestion)
            default:
                return "\(argument) expects \(kind.expectation), got '\(value)'"
            }
        case let .missingRequired(argument, command):
            let what: String
            switch argument {
            case let .option(spelling): what = "missing required option '\(spelling)'"
            case let .positional(name): what = "missing required argument '<\(name)>'"
            }
            return what + " for '\(Self.display(command))'" + Self.seeHelp(command)
        case let .unexpectedArgument(value, command):
            return "unexpected argument '\(value)' for '\(Self.display(command))'" + Self.seeHelp(command)
        case let .duplicateOption(argument, command):
            return "\(argument) given more than once for '\(Self.display(command))' (it takes one value)"
        case let .unexpectedValue(argument, value, _):
            return "\(argument) is a flag and takes no value, got '\(value)'"
        case let .missingSubcommand(command, available):
            return "'\(Self.display(command))' needs a subcommand (\(available.joined(separator: ", ")))"
                + Self.seeHelp(command)
        }
    }

    private static func display(_ command: [String]) -> String { command.joined(separator: " ") }

    private static func didYouMean(_ suggestion: String?) -> String {
        suggestion.map { " (did you mean '\($0)'?)" } ?? ""
    }

    private static func seeHelp(_ command: [String]) -> String {
        "; see '\(display(command)) --help'"
    }
}
