import PixelArguments

/// `pixelrec encode`: compute item vision and text embeddings into the feature store.
enum EncodeCommand: Subcommand {
    static let command = Command(
        name: "encode",
        abstract: "Compute every item's vision and text embeddings once into the item feature store.",
        discussion: """
            Uses model.vision_model / model.language_model (and their *_model_path ONNX folders). Incremental: \
            only items missing from the store are encoded; a store made by another model file is rebuilt.
            """,
        arguments: CommonOptions.all + [
            .option(
                "batch-size", kind: .integer(1 ... 4096), valueName: "n", default: "32", help: "Items per encoder batch."),
            .flag("force", help: "Re-encode every item."),
        ]
    )

    static func run(_ context: CommandContext) throws {
        _ = try context.loadConfig()
        throw context.notYetImplemented(issue: 5, "the encoder registry and feature store")
    }
}
