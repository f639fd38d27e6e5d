import PixelCore

/// Where a config value came from: a file position, or a `--set` argument (no line).
public struct SourceLocation: Equatable, Sendable, CustomStringConvertible {
    /// A file path, a name given to `ConfigLoader.load(yaml:sourceName:)`, or `--set key=value`.
    public var source: String
    /// 1-based line; 0 when the source has no lines (a `--set` argument).
    public var line: Int
    /// 1-based column; 0 when unknown.
    public var column: Int

    public init(source: String, line: Int = 0, column: Int = 0) {
        self.source = source
        self.line = line
        self.column = column
    }

    /// `file:line:column`, or just the source when there is no line.
    public var description: String {
        if line > 0 && column > 0 { return "\(source):\(line):\(column)" }
        if line > 0 { return "\(source):\(line)" }
        return source
    }
}

/// Everything that can be wrong with a configuration; each prints as one line naming where and which key.
///
/// ```
/// configs/x.yaml:12:3: training.learning_rate: expected a number, got "fast"
/// configs/x.yaml:4:1: unknown key 'traning' (did you mean 'training'?)
/// --set training.epochs=ten: training.epochs: expected an integer, got "ten"
/// ```
public enum ConfigError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The config file could not be read (`reason` is the system's message).
    case unreadableFile(path: String, reason: String)
    /// libyaml rejected the text.
    case syntax(SourceLocation, problem: String)
    /// Well-formed YAML that is not a valid config document (several documents, a duplicate key, an
    /// undefined alias, an unsupported tag, a top level that is not a mapping, …).
    case invalidDocument(SourceLocation, problem: String)
    /// A key that is not part of the configuration (`key` is the full dotted path).
    case unknownKey(SourceLocation, key: String, suggestion: String?)
    /// A value of the wrong kind, e.g. a string where a number belongs (`found` is already quoted).
    case typeMismatch(SourceLocation, key: String, expected: String, found: String)
    /// An enumerated setting given a value outside its allowed set.
    case notAllowed(SourceLocation, key: String, value: String, allowed: [String], suggestion: String?)
    /// A value of the right kind outside its valid range (`requirement` reads "must be > 0").
    case outOfRange(SourceLocation, key: String, requirement: String, found: String)
    /// A `--set` argument that is not `key.path=value`.
    case malformedOverride(argument: String)

    public var description: String {
        switch self {
        case let .unreadableFile(path, _): return "\(path): \(reason)"
        case let .malformedOverride(argument): return "--set \(YAMLScalar.forMessage(argument, limit: nil)): \(reason)"
        default: return "\(location.map(String.init(describing:)) ?? "config"): \(reason)"
        }
    }

    /// The message without the place: `training.learning_rate: expected a number, got "fast"`.
    public var reason: String {
        switch self {
        case let .unreadableFile(_, reason):
            return "cannot read config file: \(reason)"
        case let .syntax(_, problem):
            return "YAML syntax error: \(problem)"
        case let .invalidDocument(_, problem):
            return problem
        case let .unknownKey(_, key, suggestion):
            return "unknown key '\(YAMLScalar.forMessage(key))'" + (suggestion.map { " (did you mean '\($0)'?)" } ?? "")
        case let .typeMismatch(_, key, expected, found):
            return "\(key): expected \(expected), got \(found)"
        case let .notAllowed(_, key, value, allowed, suggestion):
            return "\(key): '\(YAMLScalar.forMessage(value))' is not one of \(allowed.joined(separator: ", "))"
                + (suggestion.map { " (did you mean '\($0)'?)" } ?? "")
        case let .outOfRange(_, key, requirement, found):
            return "\(key): \(requirement), got \(found)"
        case .malformedOverride:
            return "expected key.path=value"
        }
    }

    /// The same one-line message as the project-wide error the CLI prints
    /// (`PixelError.invalidInput` for a place in a file, `.io` for an unreadable file, `.invalidValue`
    /// for a `--set` argument).
    public var pixelError: PixelError {
        switch self {
        case let .unreadableFile(path, _):
            return .io(path: path, reason: reason)
        case let .malformedOverride(argument):
            return .invalidValue(setting: "--set \(YAMLScalar.forMessage(argument, limit: nil))", reason: reason)
        default:
            guard let location else { return .invalidValue(setting: "config", reason: reason) }
            if location.line == 0 { return .invalidValue(setting: location.source, reason: reason) }
            return .invalidInput(path: location.source, line: location.line, column: location.column, reason: reason)
        }
    }

    /// Where the problem is, when it has a place.
    public var location: SourceLocation? {
        switch self {
        case let .syntax(location, _), let .invalidDocument(location, _), let .unknownKey(location, _, _),
            let .typeMismatch(location, _, _, _), let .notAllowed(location, _, _, _, _),
            let .outOfRange(location, _, _, _):
            return location
        case .unreadableFile, .malformedOverride:
            return nil
        }
    }
}
