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

/// An error whose message names files: when a file was written under a temporary name (a staging folder
/// of ``AtomicFileSet``), the error is re-pointed at the path the user asked for.
public protocol PathRenamingError: Error {
    /// The same error with every occurrence of `temporary` in its paths and text replaced by `final`.
    func renamingPath(_ temporary: String, to final: String) -> Self
}

extension PixelError: PathRenamingError {
    public func renamingPath(_ temporary: String, to final: String) -> PixelError {
        func r(_ text: String) -> String { text.replacingOccurrences(of: temporary, with: final) }
        switch self {
        case let .io(path, reason): return .io(path: r(path), reason: r(reason))
        case let .invalidInput(path, line, column, reason):
            return .invalidInput(path: r(path), line: line, column: column, reason: r(reason))
        case let .invalidValue(setting, reason): return .invalidValue(setting: setting, reason: r(reason))
        }
    }
}
