import PixelArguments
import PixelONNX

/// `pixelrec onnx inspect|run`: debug ONNX exports with pixelrec's own interpreter.
enum OnnxInspectCommand: Subcommand {
    static let command = Command(
        name: "inspect",
        abstract: "Show an ONNX model's inputs, outputs, opset, operator counts and parameter count.",
        arguments: [CommonOptions.quiet, .positional("model", kind: .path, help: "The .onnx file.")]
    )

    static func run(_ context: CommandContext) throws {
        let path = context.invocation.string("model") ?? ""
        context.console.block(try ONNXInspection.report(path))
    }
}

enum OnnxRunCommand: Subcommand {
    static let command = Command(
        name: "run",
        abstract: "Run an ONNX model on .npy inputs and write its outputs as .npy.",
        arguments: [
            CommonOptions.quiet,
            .positional("model", kind: .path, help: "The .onnx file."),
            .option("input", short: "i", kind: .keyValue, valueName: "name=file.npy", repeating: true, help: "A named input."),
            .option("output", short: "o", kind: .path, valueName: "dir", required: true, help: "Folder for <output>.npy files."),
            .option("threads", kind: .integer(1 ... 1024), valueName: "n", default: "1", help: "Threads."),
        ]
    )

    static func run(_ context: CommandContext) throws {
        let invocation = context.invocation
        var inputs: [String: String] = [:]
        for (name, file) in invocation.keyValues("input") {
            guard inputs.updateValue(file, forKey: name) == nil else {
                throw UsageError("input '\(name)' is given twice")
            }
        }
        let written = try ONNXInspection.run(
            modelPath: invocation.string("model") ?? "", inputs: inputs,
            outputDirectory: invocation.string("output") ?? ".", threads: invocation.int("threads") ?? 1)
        for path in written { context.console.line("wrote \(path)") }
    }
}
