/// One CSV record as views into the parsed buffer; valid only inside the `CSVReader.forEachRecord` body.
///
/// Fields without escaped quotes point straight into the (memory-mapped) file; fields containing `""`
/// are unescaped into a scratch buffer reused across records, so reading a field never allocates.
public struct CSVRecord {
    /// 1-based physical line where the record starts.
    public let line: Int
    /// 0-based record number (the header, when present, is record 0).
    public let index: Int
    /// The number of fields.
    public let count: Int
    let base: UnsafePointer<UInt8>
    /// `2 · count` entries: start and end of each field; a negative start `-(s + 1)` means the field is
    /// `scratch[s ..< end]`.
    let bounds: UnsafePointer<Int>
    let scratch: UnsafePointer<UInt8>?

    /// Calls `body` with the unquoted bytes of field `i` (0-based).
    @inline(__always)
    public func withField<R>(_ i: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        let start = bounds[2 * i], end = bounds[2 * i + 1]
        if start < 0, let scratch {
            let s = -start - 1
            return try body(UnsafeBufferPointer(start: scratch + s, count: end - s))
        }
        return try body(UnsafeBufferPointer(start: base + start, count: end - start))
    }

    /// Field `i` as a `String` (validated UTF-8).
    public func string(_ i: Int) -> String {
        withField(i) { String(decoding: $0, as: UTF8.self) }
    }

    /// All fields as strings.
    public var strings: [String] { (0..<count).map(string) }
}
