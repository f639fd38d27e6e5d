import Foundation
import PixelCore

/// A file of ids, one per line (surrounding spaces trimmed; blank lines and lines starting with `#`
/// skipped): allow/deny lists of items and `--user-file`.
public struct ItemIdList: Sendable {
    /// Each id with its 1-based line number.
    public let entries: [(id: String, line: Int)]
    public let path: String

    /// Ids given in memory (e.g. a request's allow list): `entries` with their 1-based positions as lines, and
    /// `source` standing for the file in messages.
    public init(ids: [String], source: String) {
        entries = ids.enumerated().map { ($0.element, $0.offset + 1) }
        path = source
    }

    /// Lines are read by ``TextLines`` (LF or CRLF, a UTF-8 byte-order mark, trailing blanks).
    /// - Throws: `PixelError.io` when the file cannot be read; `PixelError.invalidInput` naming the line for
    ///   invalid UTF-8 or a NUL byte.
    public init(contentsOf path: String) throws {
        var entries: [(String, Int)] = []
        for line in try TextLines.read(path: path) {
            let id = line.text.trimmingCharacters(in: .whitespaces)
            if id.isEmpty || id.hasPrefix("#") { continue }
            entries.append((id, line.number))
        }
        self.entries = entries
        self.path = path
    }
}
