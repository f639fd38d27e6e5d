import PixelArguments
import PixelConfig

/// `pixelrec config show`: print the effective configuration.
enum ConfigShowCommand: Subcommand {
    static let command = Command(
        name: "show",
        abstract: "Print the effective configuration (defaults, then --config, then --set) as YAML.",
        arguments: CommonOptions.all,
        examples: ["pixelrec config show --config configs/dino_config.yaml --set training.epochs=3"]
    )

    static func run(_ context: CommandContext) throws {
        context.console.write(try context.loadConfig().yamlText())
    }
}

/// `pixelrec config check`: validate a configuration.
enum ConfigCheckCommand: Subcommand {
    static let command = Command(
        name: "check",
        abstract: "Validate a configuration file; errors name the key and its line and column.",
        arguments: CommonOptions.all
    )

    static func run(_ context: CommandContext) throws {
        _ = try context.loadConfig()
        if !context.quiet {
            context.console.line("\(context.invocation.string("config") ?? "default configuration"): ok")
        }
    }
}
