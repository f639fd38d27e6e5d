import Foundation
import PixelArguments
import PixelCore
import PixelEncoders
import PixelImage
import PixelONNX

/// `pixelrec embed`: embed ad-hoc texts or images through the encoder registry.
enum EmbedCommand: Subcommand {
    static let command = Command(
        name: "embed",
        abstract: "Embed texts or images with a registered encoder and write them as .npy.",
        discussion: """
            Writes a float32 [n, d] .npy in the order given. The built-in text encoder uses unit IDF here \
            (no corpus), so its vectors differ from those pixelrec encode stores.
            """,
        arguments: CommonOptions.all + [
            .option(
                "encoder", short: "e",
                kind: .choice([
                    "clip", "dino", "resnet", "convnext", "efficientnet", "sentence-bert", "mpnet", "bert", "roberta",
                    "builtin",
                ]),
                required: true, help: "Encoder name in the registry."),
            .option(
                "model", short: "m", kind: .path, valueName: "dir", help: "Folder with the ONNX model and tokenizer."),
            .option("text", valueName: "text", multiple: true, repeating: true, help: "Texts to embed."),
            .option("image", kind: .path, valueName: "path", multiple: true, repeating: true, help: "Images to embed."),
            .option(
                "output", short: "o", kind: .path, valueName: "file.npy", required: true, help: "Output .npy file."),
        ],
        examples: [
            "pixelrec embed --encoder sentence-bert --model models/encoders/minilm --text \"a cat\" --output e.npy"
        ]
    )

    static func run(_ context: CommandContext) throws {
        let invocation = context.invocation
        let name = invocation.string("encoder") ?? "builtin"
        let texts = invocation.strings("text"), images = invocation.strings("image")
        guard texts.isEmpty != images.isEmpty else {
            throw PixelError.invalidValue(setting: "--text / --image", reason: "give texts or images (one kind)")
        }
        let output = invocation.string("output") ?? "embeddings.npy"
        var paths = context.paths()
        paths.input(invocation.string("model"), "--model", directory: true)
        for image in images { paths.input(image, "--image") }
        paths.output(output, "--output")
        try paths.check()
        let options = EncoderOptions(modelDirectory: invocation.string("model"))
        let rows: [Float]
        let dimension: Int
        if !texts.isEmpty {
            let encoder = try EncoderRegistry.shared.textEncoder(named: name, options: options)
            rows = try encoder.encode(texts)
            dimension = encoder.identity.dimension
        } else {
            let encoder = try EncoderRegistry.shared.imageEncoder(named: name, options: options)
            var prepared: [Float] = []
            prepared.reserveCapacity(images.count * encoder.preparedCount)
            for path in images { prepared += encoder.prepare(try ImageCodec.decode(contentsOf: path)) }
            rows = try encoder.encode(prepared: prepared, count: images.count)
            dimension = encoder.identity.dimension
        }
        try NumpyArray.write(
            try ONNXValue(floats: rows, shape: [rows.count / max(dimension, 1), dimension]), to: output)
        context.console.line("wrote \(output): \(rows.count / max(dimension, 1)) × \(dimension) float32 (\(name))")
    }
}
