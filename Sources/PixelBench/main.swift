import Foundation
import PixelCore

// PixelBench: `PixelBench <command> [arguments]`; each area adds its commands in its own file and one
// dispatch line here.
let arguments = Array(CommandLine.arguments.dropFirst())
guard let command = arguments.first else {
    Terminal.writeStderr("usage: PixelBench <command> [arguments]\ncommands: \((DataBench.commands + TrainBench.commands + EvalBench.commands).joined(separator: " "))\n")
    exit(2)
}
do {
    if DataBench.commands.contains(command) {
        try DataBench.run(command, Array(arguments.dropFirst()))
    } else if TrainBench.commands.contains(command) {
        try TrainBench.run(command, Array(arguments.dropFirst()))
    } else if EvalBench.commands.contains(command) {
        try EvalBench.run(command, Array(arguments.dropFirst()))
    } else {
        Terminal.writeStderr("PixelBench: unknown command '\(command)'\n")
        exit(2)
    }
} catch {
    Terminal.writeStderr("error: \(error)\n")
    exit(1)
}
