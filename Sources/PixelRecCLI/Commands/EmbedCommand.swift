import Foundation
import PixelArguments
import PixelCore
import PixelEncoders
import PixelImage

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
                kind: .choice(["clip", "dino", "resnet", "convnext", "efficientnet", "sentence-bert", "mpnet", "bert", "roberta", "builtin"]),
                required: true, help: "Encoder name in the registry."),
            .option("model", short: "m", kind: .path, valueName: "dir", help: "Folder with the ONNX model and tokenizer."),
            .option("text", valueName: "text", multiple: true, repeating: true, help: "Texts to embed."),
            .option("image", kind: .path, valueName: "path", multiple: true, repeating: true, help: "Images to embed."),
            .option("output", short: "o", kind: .path, valueName: "file.npy", required: true, help: "Output .npy file."),
        ],
        examples: ["pixelrec embed --encoder sentence-bert --model models/encoders/minilm --text \"a cat\" --output e.npy"]
    )

    static func run(_ context: CommandContext) throws {
        let invocation = context.invocation
        let name = invocation.string("encoder") ?? "builtin"
        let texts = invocation.strings("text"), images = invocation.strings("image")
        guard texts.isEmpty != images.isEmpty else {
            throw PixelError.invalidValue(setting: "--text / --image", reason: "give texts or images (one kind)")
        }
        let output = invocation.string("output") ?? "embeddings.npy"
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
        try NpyWriter.write(rows, shape: [rows.count / max(dimension, 1), dimension], to: output)
        context.console.line("wrote \(output): \(rows.count / max(dimension, 1)) × \(dimension) float32 (\(name))")
    }
}

/// Writes `.npy` version 1.0 float32 arrays (C order).
enum NpyWriter {
    static func write(_ values: [Float], shape: [Int], to path: String) throws {
        let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': \(shapeText), }"
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var data = Data([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0])
        let length = UInt16(header.utf8.count)
        data.append(contentsOf: [UInt8(length & 0xFF), UInt8(length >> 8)])
        data.append(contentsOf: Array(header.utf8))
        values.withUnsafeBytes { data.append(contentsOf: $0) }
        try AtomicFile.write(data, to: path)
    }
}
