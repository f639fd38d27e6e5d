import Foundation
import PixelCore

/// Builds RFC 4180 CSV into a byte buffer and writes it atomically (temporary file + rename).
///
/// Fields are quoted only when they contain the delimiter, a quote, CR or LF; quotes are doubled.
/// Lines end with LF.
public struct CSVWriter {
    /// The bytes written so far.
    public internal(set) var bytes: [UInt8] = []
    public let delimiter: UInt8

    public init(delimiter: UInt8 = UInt8(ascii: ","), reserve: Int = 0) {
        self.delimiter = delimiter
        bytes.reserveCapacity(reserve)
    }

    /// Appends one record of string fields.
    public mutating func writeRow<S: Sequence>(_ fields: S) where S.Element: StringProtocol {
        var first = true
        for field in fields {
            if !first { bytes.append(delimiter) }
            first = false
            var copy = String(field)
            copy.withUTF8 { appendField($0) }
        }
        bytes.append(UInt8(ascii: "\n"))
    }

    /// Appends one field (raw bytes), quoting when needed; call `endRow()` after the last field.
    @inline(__always)
    public mutating func appendField(_ field: UnsafeBufferPointer<UInt8>, first: Bool = true) {
        let quote = UInt8(ascii: "\"")
        var needsQuotes = false
        for c in field where c == delimiter || c == quote || c == 10 || c == 13 {
            needsQuotes = true
            break
        }
        if !needsQuotes {
            bytes.append(contentsOf: field)
            return
        }
        bytes.append(quote)
        for c in field {
            if c == quote { bytes.append(quote) }
            bytes.append(c)
        }
        bytes.append(quote)
    }

    /// Appends the delimiter between fields.
    @inline(__always) public mutating func separator() { bytes.append(delimiter) }

    /// Ends the current record.
    @inline(__always) public mutating func endRow() { bytes.append(UInt8(ascii: "\n")) }

    /// Appends the decimal digits of an integer field.
    @inline(__always)
    public mutating func appendInteger<T: BinaryInteger>(_ value: T) {
        if value == 0 {
            bytes.append(UInt8(ascii: "0"))
            return
        }
        var magnitude = value.magnitude
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var digits:
            (
                UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8
            ) =
                (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buffer in
            while magnitude > 0 && count < 20 {
                buffer[count] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
                count += 1
            }
        }
        withUnsafeBytes(of: &digits) { buffer in
            for k in stride(from: count - 1, through: 0, by: -1) { bytes.append(buffer[k]) }
        }
    }

    /// Atomically writes the buffer to `path`.
    /// - Throws: `PixelError.io` naming `path` with the reason in words.
    public func write(to path: String) throws {
        try AtomicFile.write(Data(bytes), to: path)
    }
}
