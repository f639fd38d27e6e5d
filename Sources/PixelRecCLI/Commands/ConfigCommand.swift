import PixelArguments
import PixelConfig

/// `pixelrec config show`: print the effective configuration.
enum ConfigShowCommand: Subcommand {
    static let command = Command(
        name: "show",
        abstract: "Print the effective configuration (defaults, then --config, then --set) as YAML.",
        discussion: """
            Ends with YAML comments listing the built-in defaults that differ from the Python framework's, with \
            the framework's value and why pixelrec changed it; set a key to the framework's value to get its \
            behaviour.
            """,
        arguments: CommonOptions.all,
        examples: ["pixelrec config show --config configs/dino_config.yaml --set training.epochs=3"]
    )

    static func run(_ context: CommandContext) throws {
        context.console.write(try context.loadConfig().yamlText() + departuresComment())
    }

    /// `# model.user_encoder: framework id, pixelrec hybrid — <why>` lines, one per departure.
    static func departuresComment() -> String {
        let defaults = PixelRecConfig()
        var text =
            "\n# Defaults that differ from the Python framework's (a key set in --config or --set keeps its value):\n"
        for d in PixelRecConfig.departures {
            let ours = defaults.yamlValue(forKeyPath: d.key) ?? "?"
            text += "#   \(d.key): pixelrec \(ours), framework \(d.framework) — \(d.reason)\n"
        }
        return text
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
