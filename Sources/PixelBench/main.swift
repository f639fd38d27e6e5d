import Foundation

if CommandLine.arguments.count > 1 && CommandLine.arguments[1] == "onnx" {
    exit(ONNXBench.run(Array(CommandLine.arguments.dropFirst(2))))
}
// Filled in by its issue.
print("not implemented yet")
