import Foundation
import Testing

@testable import PixelRecCLI

/// The result of one in-process run of the tool.
struct RunResult {
    var status: Int32
    var output: String
    var error: String

    /// Standard error split into lines (without the empty tail).
    var errorLines: [Substring] { error.split(separator: "\n") }
}

/// Runs `pixelrec` with `arguments` in process, capturing both streams.
func runTool(_ arguments: [String]) -> RunResult {
    let (console, captured) = Console.capturing()
    let status = PixelRecTool.run(arguments, console: console)
    let (output, error) = captured()
    return RunResult(status: status, output: output, error: error)
}

/// A fresh temporary folder.
func temporaryDirectory() throws -> String {
    let path = NSTemporaryDirectory() + "pixelrec-cli-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// Writes `text` to `name` inside a fresh temporary folder and returns its path.
func writeTemporaryFile(_ name: String, _ text: String) throws -> String {
    let path = try temporaryDirectory() + "/" + name
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

/// The package root, found from this file's path.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path
