import Foundation
import PixelArguments
import PixelCore
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
            .option(
                "input", short: "i", kind: .keyValue, valueName: "name=file.npy", repeating: true,
                help: "A named input."),
            .option(
                "output", short: "o", kind: .path, valueName: "dir", required: true,
                help: "Folder for <output>.npy files."),
            .option("threads", kind: .integer(1...1024), valueName: "n", default: "1", help: "Threads."),
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
        let modelPath = invocation.string("model") ?? ""
        let outputDirectory = invocation.string("output") ?? "."
        try checkPaths(context, model: modelPath, inputs: inputs, outputDirectory: outputDirectory)
        let written = try ONNXInspection.run(
            modelPath: modelPath, inputs: inputs, outputDirectory: outputDirectory,
            threads: invocation.int("threads") ?? 1)
        for path in written { context.console.line("wrote \(path)") }
    }
}

extension OnnxRunCommand {
    /// Refuses an output `<dir>/<output name>.npy` that is the model or an input file. The output names are
    /// read from the model only when some input lies directly in the output folder (else no clash is
    /// possible: nothing else is written).
    static func checkPaths(_ context: CommandContext, model: String, inputs: [String: String], outputDirectory: String)
        throws
    {
        var paths = CommandPaths()
        paths.input(model, "the model")
        for (name, file) in inputs.sorted(by: { $0.key < $1.key }) { paths.input(file, "--input \(name)") }
        let folder = CommandPaths.resolve(outputDirectory)
        let candidates = [model] + inputs.values
        guard candidates.contains(where: { (CommandPaths.resolve($0) as NSString).deletingLastPathComponent == folder })
        else { return }
        for output in try ONNXModel(contentsOf: model).outputs {
            let safe = String(
                output.name.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." ? $0 : "_" })
            paths.output((outputDirectory as NSString).appendingPathComponent(safe + ".npy"), "--output")
        }
        try paths.check()
    }
}
