import PixelArguments
import PixelConfig
import PixelCore

/// What a subcommand's `run` receives: the parsed invocation and where to write.
public struct CommandContext: Sendable {
    public let invocation: Invocation
    public let console: Console

    /// The command's name as typed, e.g. `pixelrec onnx run`.
    public var commandName: String { invocation.commandPath.joined(separator: " ") }

    /// Whether `--quiet` was given.
    public var quiet: Bool { invocation.flag("quiet") }

    /// The effective configuration: defaults, then the `--config` file, then each `--set`, in order.
    /// Warnings (keys that mean nothing here) go to standard error, `--quiet` or not (it hides progress only).
    public func loadConfig() throws -> PixelRecConfig {
        let loaded = try ConfigLoader.load(path: invocation.string("config"), overrides: invocation.strings("set"))
        for warning in loaded.warnings { console.warning(warning) }
        return loaded.config
    }
}

/// A subcommand: its declaration (from which help is generated) and what it does.
protocol Subcommand {
    /// The declaration: name, abstract, options.
    static var command: Command { get }
    /// Runs the command; throwing ends the process with exit code 1 (2 for usage errors).
    static func run(_ context: CommandContext) throws
}

/// Options every subcommand takes.
enum CommonOptions {
    static let config = Argument.option(
        "config", short: "c", kind: .path, valueName: "path",
        help: "YAML configuration file (defaults are used for every key it does not set).")
    static let set = Argument.option(
        "set", kind: .keyValue, valueName: "key.path=value", repeating: true,
        help: "Override one configuration key, e.g. --set training.epochs=5; applied after --config.")
    static let quiet = Argument.flag(
        "quiet", short: "q", help: "Print only results, warnings and errors (no progress).")
    static let verbose = Argument.flag("verbose", short: "v", help: "Print more detail about what is done.")

    /// `--config`, `--set`, `--quiet`, `--verbose`.
    static let all: [Argument] = [config, set, quiet, verbose]
}

/// A usage mistake the parser cannot see (e.g. `--ratios` with two values): printed as one line, exit 2.
struct UsageError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
