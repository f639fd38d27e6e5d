import PixelCore
import Synchronization

/// Where a command writes: standard output and standard error, or buffers in tests.
public struct Console: Sendable {
    private let writeOutput: @Sendable (String) -> Void
    private let writeError: @Sendable (String) -> Void

    public init(output: @escaping @Sendable (String) -> Void, error: @escaping @Sendable (String) -> Void) {
        self.writeOutput = output
        self.writeError = error
    }

    /// The process's standard streams.
    public static let standard = Console(
        output: { text in print(text, terminator: "") },
        error: { text in Terminal.writeStderr(text) }
    )

    /// A console whose output is kept; `captured()` returns what was written so far.
    public static func capturing() -> (console: Console, captured: @Sendable () -> (output: String, error: String)) {
        let buffers = Mutex<(String, String)>(("", ""))
        let console = Console(
            output: { text in buffers.withLock { $0.0 += text } },
            error: { text in buffers.withLock { $0.1 += text } }
        )
        return (console, { buffers.withLock { (output: $0.0, error: $0.1) } })
    }

    /// Writes a line to standard output.
    public func line(_ text: String = "") { writeOutput(text + "\n") }

    /// Writes a block of text (help, a report) to standard output, ending it with a newline if it has none.
    public func block(_ text: String) { writeOutput(text.hasSuffix("\n") ? text : text + "\n") }

    /// Writes text to standard output as is.
    public func write(_ text: String) { writeOutput(text) }

    /// Writes `warning: …` to standard error.
    public func warning(_ text: String) { writeError("warning: " + text + "\n") }

    /// Writes `error: …` to standard error.
    public func error(_ text: String) { writeError("error: " + text + "\n") }

    /// Writes a line to standard error (progress notes and summaries that are not the command's result).
    public func note(_ text: String) { writeError(text + "\n") }
}
