import Foundation
import PixelCore

/// A streaming RFC 4180 CSV reader over a memory-mapped file.
///
/// Handles quoted fields with embedded delimiters, quotes (`""`) and newlines, LF and CRLF line ends, a
/// leading UTF-8 byte-order mark, and validates UTF-8 as it scans (one pass, byte level; a NUL byte is an
/// error). Blank lines are
/// skipped. Every error names the file, the 1-based line and the 1-based field number.
///
/// ```swift
/// let reader = try CSVReader(path: "interactions.csv")
/// try reader.forEachRecord { record in print(record.line, record.string(0)) }
/// ```
public final class CSVReader: @unchecked Sendable {
    /// The name used in errors.
    public let path: String
    /// The field separator (`,` by default).
    public let delimiter: UInt8
    let data: Data

    /// Maps `path` into memory.
    /// - Throws: `DataError.io` when it cannot be read, `DataError.emptyFile` when it has no bytes.
    public init(path: String, delimiter: UInt8 = UInt8(ascii: ",")) throws {
        self.path = path
        self.delimiter = delimiter
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        } catch {
            if !FileManager.default.fileExists(atPath: path) { throw DataError.io(path: path, reason: "no such file") }
            throw DataError.io(path: path, reason: IOFailure.reason(error))
        }
        guard !data.isEmpty else { throw DataError.emptyFile(path: path) }
    }

    /// Reads CSV from bytes in memory (`path` is only used in errors).
    public init(data: Data, path: String = "<memory>", delimiter: UInt8 = UInt8(ascii: ",")) throws {
        self.path = path
        self.delimiter = delimiter
        self.data = data
        guard !data.isEmpty else { throw DataError.emptyFile(path: path) }
    }

    /// The number of bytes in the file.
    public var byteCount: Int { data.count }

    /// Calls `body` for every record in order, the header included (as record 0).
    /// - Throws: `DataError.malformed` at the first structural error, or whatever `body` throws.
    /// - Returns: the number of records.
    @discardableResult
    public func forEachRecord(_ body: (CSVRecord) throws -> Void) throws -> Int {
        try data.withUnsafeBytes { raw -> Int in
            guard let start = raw.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return 0 }
            return try scan(start, raw.count, body)
        }
    }

    func malformed(_ line: Int, _ column: Int, _ reason: String) -> DataError {
        .malformed(path: path, line: line, column: column, reason: reason)
    }

    private func scan(_ p: UnsafePointer<UInt8>, _ end: Int, _ body: (CSVRecord) throws -> Void) throws -> Int {
        let comma = delimiter
        let quote = UInt8(ascii: "\""), newline = UInt8(ascii: "\n"), carriage = UInt8(ascii: "\r")
        var pos = 0
        if end >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF { pos = 3 }
        var line = 1
        var capacity = 64
        var bounds = UnsafeMutablePointer<Int>.allocate(capacity: 2 * capacity)
        defer { bounds.deallocate() }
        var fieldCount = 0
        var scratch: [UInt8] = []
        @inline(__always) func addField(_ start: Int, _ end: Int) {
            if fieldCount == capacity {
                let grown = UnsafeMutablePointer<Int>.allocate(capacity: 4 * capacity)
                grown.update(from: bounds, count: 2 * capacity)
                bounds.deallocate()
                bounds = grown
                capacity *= 2
            }
            bounds[2 * fieldCount] = start
            bounds[2 * fieldCount + 1] = end
            fieldCount += 1
        }
        var recordIndex = 0
        while pos < end {
            // Skip blank lines between records.
            if p[pos] == newline { line += 1; pos += 1; continue }
            if p[pos] == carriage {
                pos += (pos + 1 < end && p[pos + 1] == newline) ? 2 : 1
                line += 1
                continue
            }
            fieldCount = 0
            if !scratch.isEmpty { scratch.removeAll(keepingCapacity: true) }
            let recordLine = line
            var endOfRecord = false
            while !endOfRecord {
                let column = fieldCount + 1
                if pos < end && p[pos] == quote {
                    let openLine = line
                    pos += 1
                    let fieldStart = pos
                    var fieldEnd = -1
                    var escaped = false
                    while pos < end {
                        let c = p[pos]
                        if c == quote {
                            if pos + 1 < end && p[pos + 1] == quote {
                                escaped = true
                                pos += 2
                                continue
                            }
                            fieldEnd = pos
                            pos += 1
                            break
                        }
                        if c == newline {
                            line += 1
                        } else if c == 0 {
                            throw malformed(line, column, "NUL byte in the field")
                        } else if c >= 0x80 {
                            let length = utf8SequenceLength(p, pos, end)
                            guard length > 0 else {
                                throw malformed(
                                    line, column, "invalid UTF-8 byte 0x\(String(c, radix: 16, uppercase: true))")
                            }
                            pos += length
                            continue
                        }
                        pos += 1
                    }
                    guard fieldEnd >= 0 else {
                        throw malformed(openLine, column, "unbalanced quote: quoted field opened here is never closed")
                    }
                    if escaped {
                        let scratchStart = scratch.count
                        var k = fieldStart
                        while k < fieldEnd {
                            scratch.append(p[k])
                            k += (p[k] == quote) ? 2 : 1
                        }
                        addField(-scratchStart - 1, scratch.count)
                    } else {
                        addField(fieldStart, fieldEnd)
                    }
                    if pos < end {
                        let c = p[pos]
                        if c != comma && c != newline && c != carriage {
                            throw malformed(
                                line, column,
                                "unexpected character after closing quote (quotes inside a quoted field must be doubled)"
                            )
                        }
                    }
                } else {
                    let fieldStart = pos
                    while pos < end {
                        let c = p[pos]
                        if c == comma { break }
                        if c <= carriage {
                            if c == newline || c == carriage { break }
                            if c == 0 { throw malformed(line, column, "NUL byte in the field") }
                        }
                        if c >= 0x80 {
                            let length = utf8SequenceLength(p, pos, end)
                            guard length > 0 else {
                                throw malformed(
                                    line, column, "invalid UTF-8 byte 0x\(String(c, radix: 16, uppercase: true))")
                            }
                            pos += length
                            continue
                        }
                        pos += 1
                    }
                    addField(fieldStart, pos)
                }
                // Terminator.
                if pos >= end {
                    endOfRecord = true
                } else if p[pos] == comma {
                    pos += 1
                    if pos >= end {
                        // A trailing delimiter at end of file ends with one empty field.
                        addField(pos, pos)
                        endOfRecord = true
                    }
                } else {
                    pos += (p[pos] == carriage && pos + 1 < end && p[pos + 1] == newline) ? 2 : 1
                    line += 1
                    endOfRecord = true
                }
            }
            try scratch.withUnsafeBufferPointer { scratchBuffer in
                let record = CSVRecord(
                    line: recordLine, index: recordIndex, count: fieldCount, base: p, bounds: UnsafePointer(bounds),
                    scratch: scratchBuffer.baseAddress)
                try body(record)
            }
            recordIndex += 1
        }
        return recordIndex
    }

    /// Reads a whole (small) file: the header and every row as strings, checking that each row has as
    /// many fields as the header.
    /// - Returns: `header`, `rows`, and `lines` (the 1-based line of each row).
    public func readAll() throws -> (header: [String], rows: [[String]], lines: [Int]) {
        var header: [String] = []
        var rows: [[String]] = []
        var lines: [Int] = []
        try forEachRecord { record in
            if record.index == 0 {
                header = record.strings
                return
            }
            guard record.count == header.count else {
                throw malformed(
                    record.line, min(record.count, header.count) + 1,
                    "expected \(header.count) fields, found \(record.count)")
            }
            rows.append(record.strings)
            lines.append(record.line)
        }
        guard !header.isEmpty else { throw DataError.emptyFile(path: path) }
        return (header, rows, lines)
    }
}
