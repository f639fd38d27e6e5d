import Foundation
import PixelArguments
import PixelCluster
import PixelConfig
import PixelCore
import PixelTensor

/// The `pixelrec` command-line tool: the command tree and its dispatch.
public enum PixelRecTool {
    public static let version = "0.1.0"

    /// Every runnable subcommand by its path below `pixelrec`.
    private static var leaves: [(path: [String], type: any Subcommand.Type)] {
        [
            (["preprocess"], PreprocessCommand.self),
            (["split"], SplitCommand.self),
            (["synth"], SynthCommand.self),
            (["encode"], EncodeCommand.self),
            (["embed"], EmbedCommand.self),
            (["train"], TrainCommand.self),
            (["eval"], EvalCommand.self),
            (["recommend"], RecommendCommand.self),
            (["serve"], ServeCommand.self),
            (["extract-encoders"], ExtractEncodersCommand.self),
            (["onnx", "inspect"], OnnxInspectCommand.self),
            (["onnx", "run"], OnnxRunCommand.self),
            (["config", "show"], ConfigShowCommand.self),
            (["config", "check"], ConfigCheckCommand.self),
        ]
    }

    /// The declaration of the whole tool, from which parsing and every help text come.
    public static let root = Command(
        name: "pixelrec",
        abstract: "Multimodal recommender system: preprocess, split, train, evaluate, recommend.",
        discussion: """
            Every setting lives in a YAML config (see configs/default_config.yaml); each subcommand takes \
            --config PATH and --set key.path=value overrides. Exit codes: 0 success, 1 runtime error, \
            2 usage error.
            """,
        subcommands: [
            PreprocessCommand.command, SplitCommand.command, SynthCommand.command, EncodeCommand.command,
            EmbedCommand.command, TrainCommand.command, EvalCommand.command, RecommendCommand.command,
            ServeCommand.command, ExtractEncodersCommand.command,
            Command(
                name: "onnx", abstract: "Inspect and run ONNX models with pixelrec's interpreter.",
                subcommands: [OnnxInspectCommand.command, OnnxRunCommand.command]),
            Command(
                name: "config", abstract: "Show or validate the effective configuration.",
                subcommands: [ConfigShowCommand.command, ConfigCheckCommand.command]),
        ],
        version: "pixelrec \(version)",
        examples: [
            "pixelrec synth --out data/synth",
            "pixelrec split --config configs/default_config.yaml --strategy leave_one_out",
            "pixelrec train --config configs/default_config.yaml",
        ]
    )

    /// Runs the tool with `arguments` (the first is the program name) and exits the process.
    public static func main(_ arguments: [String]) -> Never {
        // OpenBLAS 0.3.21 takes this machine's CPU for a generic one (Prescott kernels, ~32 GFLOP/s instead of
        // ~150); it reads OPENBLAS_CORETYPE only when it loads, so the process restarts itself with it set.
        BLAS.relaunchWithBetterCoreIfNeeded()
        TensorStorage.retainFreedMemory()
        Terminal.lineBufferStdout()
        exit(ClusterRun.run { console in run(Array(arguments.dropFirst()), console: console) })
    }

    static func commandName(_ invocation: Invocation) -> String { invocation.commandPath.joined(separator: " ") }

    /// Runs the tool with `arguments` (without the program name), writing to `console`.
    /// - Returns: the exit code: 0 success, 1 runtime error, 2 usage error.
    public static func run(_ arguments: [String], console: Console) -> Int32 {
        let outcome: ParseOutcome
        do {
            outcome = try ArgumentParser(root: root).parse(arguments)
        } catch {
            console.error(error.description)
            return error.exitCode
        }
        switch outcome {
        case let .help(text):
            console.block(text)
            return 0
        case let .version(text):
            console.line(text)
            for line in LinkedLibraries.summary { console.line("  " + line) }
            return 0
        case let .run(invocation):
            let path = Array(invocation.commandPath.dropFirst())
            guard let leaf = leaves.first(where: { $0.path == path }) else {
                console.error("'\(invocation.commandPath.joined(separator: " "))' has nothing to run")
                return 2
            }
            let context = CommandContext(invocation: invocation, console: console)
            if context.quiet { Progress.defaultStyle = .quiet }
            do {
                try ClusterRun.checkDistributable(path)
                try leaf.type.run(context)
                return 0
            } catch let error as UsageError {
                console.error(error.description)
                return 2
            } catch let error as PixelError {
                console.error(error.description)
            } catch  where IOFailure.isSystemError(error) {
                // A raw Foundation/POSIX error that no layer translated: its file and the reason in words,
                // never an `NSCocoaErrorDomain Code=…` dump.
                let path = IOFailure.path(of: error) ?? commandName(invocation)
                console.error("\(path): \(IOFailure.reason(error))")
            } catch let error as CustomStringConvertible & Error {
                // DataError, ImageError and the other modules' error enums print one line each.
                console.error(error.description)
            } catch {
                console.error("\(error)")
            }
            return 1
        }
    }
}
