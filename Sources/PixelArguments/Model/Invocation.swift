/// The parsed values of one command line, ready for the command at ``commandPath`` to read.
///
/// Values are looked up by the argument's long name (`"sample-users"`), whichever spelling or short name
/// the user typed. Arguments of every command along the path are visible (a root `--verbose` can be read
/// by `pixelrec train`). Every value has already been checked against its ``ValueKind``.
public struct Invocation: Sendable {
    /// One declared argument and what the command line gave it.
    struct Entry: Sendable {
        let argument: Argument
        /// Values in command-line order (empty when not given). A given flag has one empty value per occurrence.
        let values: [String]
    }

    /// The words selecting the command, root first: `["pixelrec", "onnx", "run"]`.
    public let commandPath: [String]
    let entries: [String: Entry]

    init(commandPath: [String], entries: [String: Entry]) {
        self.commandPath = commandPath
        self.entries = entries
    }

    /// Whether the flag `name` was given.
    public func flag(_ name: String) -> Bool {
        guard let entry = entries[name], entry.argument.role == .flag else { return false }
        return !entry.values.isEmpty
    }

    /// The value of an option or positional: the last given, else its default, else `nil`.
    public func string(_ name: String) -> String? {
        guard let entry = entries[name], entry.argument.role != .flag else { return nil }
        return entry.values.last ?? entry.argument.defaultValue
    }

    /// All values of an option or positional in command-line order (several for `multiple`, `repeating`
    /// and `variadic` arguments); `[default]` when none was given and a default is declared, otherwise `[]`.
    public func strings(_ name: String) -> [String] {
        guard let entry = entries[name], entry.argument.role != .flag else { return [] }
        if entry.values.isEmpty, let defaultValue = entry.argument.defaultValue { return [defaultValue] }
        return entry.values
    }

    /// ``string(_:)`` as an `Int`; `nil` when absent or not an integer.
    public func int(_ name: String) -> Int? {
        string(name).flatMap { Int($0) }
    }

    /// ``string(_:)`` as a finite `Double` (`1e-3`, `-0.5`, `.5`); `nil` when absent or not a number.
    public func double(_ name: String) -> Double? {
        string(name).flatMap(ValueDecoder.finiteDouble)
    }

    /// All values of a `.keyValue` argument split at the first `=`: `training.epochs=3` → `("training.epochs", "3")`.
    public func keyValues(_ name: String) -> [(key: String, value: String)] {
        strings(name).compactMap { pair in
            guard let equals = pair.firstIndex(of: "=") else { return nil }
            return (String(pair[..<equals]), String(pair[pair.index(after: equals)...]))
        }
    }

    /// Whether the argument was given explicitly on the command line (a default does not count).
    public func isSet(_ name: String) -> Bool {
        guard let entry = entries[name] else { return false }
        return !entry.values.isEmpty
    }
}
