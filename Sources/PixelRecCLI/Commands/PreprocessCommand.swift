import PixelArguments

/// `pixelrec preprocess`: clean text, validate and compress images, fit numeric scalers.
enum PreprocessCommand: Subcommand {
    static let command = Command(
        name: "preprocess",
        abstract: "Clean item text, validate and compress images, fit numeric feature scalers.",
        discussion: """
            Reads data.item_info_path, data.interactions_path and data.image_folder; writes the processed \
            item info, interactions, images (data.processed_image_destination_folder), the scalers and a \
            JSON report of every filtered item with its reason. An interrupted run continues where it \
            stopped without redoing finished images.
            """,
        arguments: CommonOptions.all + [
            .option("item-info", kind: .path, valueName: "csv", help: "Item info CSV (overrides data.item_info_path)."),
            .option(
                "interactions", kind: .path, valueName: "csv",
                help: "Interactions CSV (overrides data.interactions_path)."),
            .option("images", kind: .path, valueName: "dir", help: "Image folder (overrides data.image_folder)."),
            .option(
                "output", short: "o", kind: .path, valueName: "dir",
                help: "Folder for the processed files (overrides the data.processed_* paths)."),
            .flag("skip-images", help: "Do not validate or compress images."),
            .flag("force", help: "Redo every image, ignoring work finished by an earlier run."),
        ],
        examples: ["pixelrec preprocess --config configs/default_config.yaml"]
    )

    static func run(_ context: CommandContext) throws {
        _ = try context.loadConfig()
        throw context.notYetImplemented(issue: 6, "data preprocessing")
    }
}
