/// A command of the tool: its arguments, its subcommands and the text its help is generated from.
///
/// The root command is the tool itself (`pixelrec`); subcommands nest to any depth (`pixelrec onnx inspect`).
/// A command with subcommands is a group: invoking it without one is
/// ``ParserError/missingSubcommand(command:available:)``.
///
/// Options and flags of a command are also accepted after any of its subcommands (they are shown there as
/// GLOBAL OPTIONS); positionals are not inherited.
public struct Command: Sendable {
    /// The word typed to select this command (for the root, the tool's name).
    public let name: String
    /// One-line summary: OVERVIEW in its help, and its line in its parent's SUBCOMMANDS.
    public let abstract: String
    /// Longer explanation shown after the overview; paragraphs are separated by blank lines, and lines
    /// indented by a space are kept verbatim.
    public let discussion: String
    /// Declared flags, options and positionals, in help order.
    public let arguments: [Argument]
    /// Nested commands, in help order.
    public let subcommands: [Command]
    /// Printed by `--version` (root only).
    public let version: String?
    /// Example command lines shown verbatim under EXAMPLES.
    public let examples: [String]

    /// Creates a command.
    ///
    /// - Parameters:
    ///   - name: The word selecting the command (kebab case); `help` is reserved.
    ///   - abstract: One-line summary.
    ///   - discussion: Longer help text.
    ///   - arguments: Flags, options and positionals.
    ///   - subcommands: Nested commands; when non-empty, one must be chosen.
    ///   - version: Enables `--version` when this is the root.
    ///   - examples: Example command lines for help.
    public init(
        name: String, abstract: String, discussion: String = "", arguments: [Argument] = [],
        subcommands: [Command] = [], version: String? = nil, examples: [String] = []
    ) {
        self.name = name
        self.abstract = abstract
        self.discussion = discussion
        self.arguments = arguments
        self.subcommands = subcommands
        self.version = version
        self.examples = examples
    }

    /// The subcommand selected by `word` (kebab name or its snake-case spelling), if any.
    public func subcommand(named word: String) -> Command? {
        subcommands.first { $0.name == word || NameSpelling.snake($0.name) == word }
    }

    var options: [Argument] { arguments.filter { $0.role != .positional } }
    var positionals: [Argument] { arguments.filter { $0.role == .positional } }
}
