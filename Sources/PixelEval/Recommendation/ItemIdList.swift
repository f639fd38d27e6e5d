import Foundation
import PixelCore

/// A file of ids, one per line (surrounding spaces trimmed; blank lines and lines starting with `#`
/// skipped): allow/deny lists of items and `--user-file`.
public struct ItemIdList: Sendable {
    /// Each id with its 1-based line number.
    public let entries: [(id: String, line: Int)]
    public let path: String

    /// - Throws: `PixelError.io` when the file cannot be read or is not UTF-8.
    public init(contentsOf path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PixelError.io(path: path, reason: "cannot read file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw PixelError.io(path: path, reason: "not UTF-8 text")
        }
        var entries: [(String, Int)] = []
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let id = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if id.isEmpty || id.hasPrefix("#") { continue }
            entries.append((id, number + 1))
        }
        self.entries = entries
        self.path = path
    }
}
