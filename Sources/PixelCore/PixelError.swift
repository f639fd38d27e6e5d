/// Errors every layer can raise; the CLI prints each as one line and exits 1.
///
/// Each case carries where the problem is (a file, a row, a key) so the message can name it.
public enum PixelError: Error, Equatable, CustomStringConvertible, Sendable {
    /// A file could not be read or written.
    case io(path: String, reason: String)
    /// A file's content is wrong at a given place (`line` and `column` are 1-based, 0 when unknown).
    case invalidInput(path: String, line: Int, column: Int, reason: String)
    /// A value is wrong for a setting (a config key or an option).
    case invalidValue(setting: String, reason: String)

    public var description: String {
        switch self {
        case let .io(path, reason):
            return "\(path): \(reason)"
        case let .invalidInput(path, line, column, reason):
            if line > 0 && column > 0 { return "\(path):\(line):\(column): \(reason)" }
            if line > 0 { return "\(path):\(line): \(reason)" }
            return "\(path): \(reason)"
        case let .invalidValue(setting, reason):
            return "\(setting): \(reason)"
        }
    }
}
