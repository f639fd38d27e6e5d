import PixelArguments

/// `pixelrec embed`: embed ad-hoc texts or images through the encoder registry.
enum EmbedCommand: Subcommand {
    static let command = Command(
        name: "embed",
        abstract: "Embed texts or images with a registered encoder and write them as .npy.",
        arguments: CommonOptions.all + [
            .option(
                "encoder", short: "e",
                kind: .choice(["clip", "dino", "resnet", "convnext", "sentence-bert", "mpnet", "bert", "roberta", "builtin"]),
                required: true, help: "Encoder name in the registry."),
            .option("model", short: "m", kind: .path, valueName: "dir", help: "Folder with the ONNX model and tokenizer."),
            .option("text", valueName: "text", multiple: true, repeating: true, help: "Texts to embed."),
            .option("image", kind: .path, valueName: "path", multiple: true, repeating: true, help: "Images to embed."),
            .option("output", short: "o", kind: .path, valueName: "file.npy", required: true, help: "Output .npy file."),
        ],
        examples: ["pixelrec embed --encoder sentence-bert --model models/encoders/minilm --text \"a cat\" --output e.npy"]
    )

    static func run(_ context: CommandContext) throws {
        throw context.notYetImplemented(issue: 5, "the encoder registry")
    }
}
