import Foundation

/// One line of a text file: its text and 1-based line number.
public struct TextLine: Sendable, Equatable {
    public var text: String
    public var number: Int

    public init(text: String, number: Int) {
        self.text = text
        self.number = number
    }
}

/// The line reader of every line-oriented text input (id lists, user files, tokenizer vocabularies).
///
/// Reads bytes, not `Character`s (to Swift, `"\r\n"` is one `Character`, so splitting on `"\n"` leaves
/// a CRLF file as one line). Accepts LF and CRLF line ends, a last line without a newline, a leading UTF-8
/// byte-order mark, and removes trailing spaces, tabs and carriage returns from each line. Every line is
/// returned, blank ones included, so line numbers are the file's.
public enum TextLines {
    /// The lines of the file at `path`.
    /// - Throws: `PixelError.io` when it cannot be read (reason in words); `PixelError.invalidInput` naming
    ///   `path:line` for a NUL byte or invalid UTF-8.
    public static func read(path: String) throws -> [TextLine] {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw IOFailure.error(path: path, error)
        }
        return try split(data, path: path)
    }

    /// The lines of `data` (`path` is named in errors).
    public static func split(_ data: Data, path: String) throws -> [TextLine] {
        try data.withUnsafeBytes { raw -> [TextLine] in
            let bytes = raw.bindMemory(to: UInt8.self)
            var lines: [TextLine] = []
            var start = bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF ? 3 : 0
            var number = 1
            while start < bytes.count {
                var end = start
                while end < bytes.count && bytes[end] != 0x0A { end += 1 }
                let next = end + 1
                while end > start && (bytes[end - 1] == 0x0D || bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09) {
                    end -= 1
                }
                let line = UnsafeBufferPointer(rebasing: bytes[start..<end])
                if line.contains(0) {
                    throw PixelError.invalidInput(path: path, line: number, column: 0, reason: "NUL byte in the line")
                }
                guard let text = String(validating: line, as: UTF8.self) else {
                    throw PixelError.invalidInput(path: path, line: number, column: 0, reason: "not UTF-8 text")
                }
                lines.append(TextLine(text: text, number: number))
                number += 1
                start = next
            }
            return lines
        }
    }
}
