import PixelCore
import PixelImage

/// Errors of the data pipeline; each prints as one line naming the file, row (line) and column.
///
/// `line` is the 1-based physical line in the file; `column` is the 1-based field number.
public enum DataError: Error, Equatable, CustomStringConvertible, Sendable {
    /// A file could not be read, mapped or written.
    case io(path: String, reason: String)
    /// The file has no bytes (or only a byte-order mark / blank lines).
    case emptyFile(path: String)
    /// A structural CSV problem: unbalanced quote, wrong number of fields, invalid UTF-8, stray quote.
    case malformed(path: String, line: Int, column: Int, reason: String)
    /// A required column is absent from the header.
    case missingColumn(path: String, column: String, available: [String])
    /// A cell cannot be parsed as what its column requires (a timestamp, a number).
    case invalidValue(path: String, line: Int, column: Int, name: String, value: String, expected: String)
    /// The same row appears twice and duplicates are configured to be an error.
    case duplicateRow(path: String, line: Int, firstLine: Int)
    /// An option is out of range or inconsistent.
    case invalidOption(name: String, reason: String)
    /// A persisted file (id map, scalers, cache entry) has the wrong format or version.
    case badFormat(path: String, reason: String)
    /// An image failed to decode or encode.
    case image(ImageError)

    /// `path:line:column`, leaving out parts that are unknown (0).
    static func location(_ path: String, _ line: Int, _ column: Int) -> String {
        if line > 0 && column > 0 { return "\(path):\(line):\(column)" }
        if line > 0 { return "\(path):\(line)" }
        return path
    }

    public var description: String {
        switch self {
        case let .io(path, reason): return "\(path): \(reason)"
        case let .emptyFile(path): return "\(path): empty file"
        case let .malformed(path, line, column, reason): return "\(DataError.location(path, line, column)): \(reason)"
        case let .missingColumn(path, column, available):
            return "\(path):1: missing column '\(column)' (header has: \(available.joined(separator: ", ")))"
        case let .invalidValue(path, line, column, name, value, expected):
            let shown = value.count > 40 ? String(value.prefix(40)) + "…" : value
            return "\(DataError.location(path, line, column)): column '\(name)': '\(shown)' is not \(expected)"
        case let .duplicateRow(path, line, firstLine):
            return "\(path):\(line): duplicate row (same as line \(firstLine))"
        case let .invalidOption(name, reason): return "\(name): \(reason)"
        case let .badFormat(path, reason): return "\(path): \(reason)"
        case let .image(error): return error.description
        }
    }
}

extension DataError: PathRenamingError {
    public func renamingPath(_ temporary: String, to final: String) -> DataError {
        func r(_ text: String) -> String { text.replacingOccurrences(of: temporary, with: final) }
        switch self {
        case let .io(path, reason): return .io(path: r(path), reason: r(reason))
        case let .emptyFile(path): return .emptyFile(path: r(path))
        case let .malformed(path, line, column, reason):
            return .malformed(path: r(path), line: line, column: column, reason: r(reason))
        case let .missingColumn(path, column, available):
            return .missingColumn(path: r(path), column: column, available: available)
        case let .invalidValue(path, line, column, name, value, expected):
            return .invalidValue(
                path: r(path), line: line, column: column, name: name, value: value, expected: expected)
        case let .duplicateRow(path, line, firstLine):
            return .duplicateRow(path: r(path), line: line, firstLine: firstLine)
        case .invalidOption, .image: return self
        case let .badFormat(path, reason): return .badFormat(path: r(path), reason: r(reason))
        }
    }
}
