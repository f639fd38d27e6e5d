import Foundation
import PixelCore
import PixelTensor

// PixelBench: `PixelBench <command> [arguments]`, the Swift side of `make bench`. Each area declares its
// commands in its own file (`<Area>Bench.swift`) and one row of this table.
let areas: [(commands: [String], run: (String, [String]) throws -> Void)] = [
    (DataBench.commands, DataBench.run),
    (TrainBench.commands, TrainBench.run),
    (SequenceBench.commands, SequenceBench.run),
    (SoftmaxBench.commands, SoftmaxBench.run),
    (DataParallelBench.commands, DataParallelBench.run),
    (EvalBench.commands, EvalBench.run),
    (ImageBench.commands, ImageBench.run),
    (RecommendBench.commands, RecommendBench.run),
    (
        ["onnx"],
        { _, arguments in
            let status = ONNXBench.run(arguments)
            if status != 0 { exit(status) }
        }
    ),
]

// OpenBLAS 0.3.21 runs its generic Prescott kernels on this CPU unless told otherwise at load time.
BLAS.relaunchWithBetterCoreIfNeeded()
Terminal.lineBufferStdout()
let arguments = Array(CommandLine.arguments.dropFirst())
guard let command = arguments.first, let area = areas.first(where: { $0.commands.contains(command) }) else {
    let all = areas.flatMap(\.commands).joined(separator: " ")
    Terminal.writeStderr("usage: PixelBench <command> [arguments]\ncommands: \(all)\n")
    exit(2)
}
do {
    try area.run(command, Array(arguments.dropFirst()))
} catch {
    Terminal.writeStderr("error: \(error)\n")
    exit(1)
}
