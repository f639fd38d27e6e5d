import PixelArguments

/// `pixelrec train`: train a multimodal recommender.
enum TrainCommand: Subcommand {
    static let command = Command(
        name: "train",
        abstract: "Train a multimodal recommender (item features are encoded first when missing).",
        discussion: """
            Checkpoints (model, optimizer, scheduler and RNG state, id maps, config) are written atomically \
            to checkpoint_dir after every epoch, plus the best one by the validation metric; --resume \
            continues a run exactly where it stopped. Mixed precision is not offered: on CPU it brings no \
            speed, so training runs in float32.
            """,
        arguments: CommonOptions.all + [
            .option("resume", kind: .path, valueName: "checkpoint", help: "Continue from this checkpoint."),
            .option("device", kind: .choice(["cpu"]), default: "cpu", help: "Compute device (CPU only)."),
            .option("epochs", kind: .integer(1 ... Int.max), valueName: "n", help: "Overrides training.epochs."),
            .option("seed", kind: .integer(nil), help: "Overrides training.seed."),
            .option("threads", kind: .integer(1 ... 1024), valueName: "n", help: "Overrides training.threads."),
            .option(
                "tensorboard", kind: .path, valueName: "dir",
                help: "Also write TensorBoard event files to this folder."),
        ],
        examples: ["pixelrec train --config configs/default_config.yaml", "pixelrec train --resume models/checkpoints/last.ckpt"]
    )

    static func run(_ context: CommandContext) throws {
        _ = try context.loadConfig()
        throw context.notYetImplemented(issue: 7, "model training")
    }
}
