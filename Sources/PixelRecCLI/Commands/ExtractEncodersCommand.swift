import PixelArguments

/// `pixelrec extract-encoders`: write a checkpoint's id maps and scalers out.
enum ExtractEncodersCommand: Subcommand {
    static let command = Command(
        name: "extract-encoders",
        abstract: "Write the user/item id maps and numeric scalers stored in a checkpoint.",
        arguments: CommonOptions.all + [
            .option("checkpoint", kind: .path, valueName: "path", required: true, help: "Checkpoint to read."),
            .option("output", short: "o", kind: .path, valueName: "dir", required: true, help: "Output folder."),
        ]
    )

    static func run(_ context: CommandContext) throws {
        throw context.notYetImplemented(issue: 7, "checkpoints")
    }
}
