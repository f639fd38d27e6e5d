import Foundation
import PixelCore

/// The `pixelrec` command-line tool.
public enum PixelRecTool {
    public static let version = "0.1.0"

    /// Runs the tool with `arguments` (the first is the program name) and exits the process.
    public static func main(_ arguments: [String]) -> Never {
        Terminal.lineBufferStdout()
        if arguments.dropFirst().first == "--version" {
            print("pixelrec \(version)")
            for line in LinkedLibraries.summary { print("  " + line) }
            exit(0)
        }
        Terminal.writeStderr("error: the command-line interface is being built\n")
        exit(1)
    }
}
