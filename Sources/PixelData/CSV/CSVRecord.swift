/// One CSV record as views into the parsed buffer; valid only inside the `CSVReader.forEachRecord` body.
///
/// Fields without escaped quotes point straight into the (memory-mapped) file; fields containing `""`
/// are unescaped into a scratch buffer reused across records, so reading a field never allocates.
public struct CSVRecord {
    /// 1-based physical line where the record starts.
    public internal(set) var line = 0
    /// 0-based record number (the header, when present, is record 0).
    public internal(set) var index = 0
    var starts: [Int] = []
    var ends: [Int] = []
    var inScratch: [Bool] = []
    var scratch: [UInt8] = []
    var base: UnsafePointer<UInt8>

    init(base: UnsafePointer<UInt8>) {
        self.base = base
        starts.reserveCapacity(32)
        ends.reserveCapacity(32)
        inScratch.reserveCapacity(32)
    }

    /// The number of fields.
    public var count: Int { starts.count }

    mutating func reset() {
        starts.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
        inScratch.removeAll(keepingCapacity: true)
        scratch.removeAll(keepingCapacity: true)
    }

    /// Calls `body` with the unquoted bytes of field `i` (0-based).
    @inline(__always)
    public func withField<R>(_ i: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        if inScratch[i] {
            return try scratch.withUnsafeBufferPointer { buffer in
                try body(UnsafeBufferPointer(rebasing: buffer[starts[i] ..< ends[i]]))
            }
        }
        return try body(UnsafeBufferPointer(start: base + starts[i], count: ends[i] - starts[i]))
    }

    /// Field `i` as a `String` (validated UTF-8).
    public func string(_ i: Int) -> String {
        withField(i) { String(decoding: $0, as: UTF8.self) }
    }

    /// All fields as strings.
    public var strings: [String] { (0 ..< count).map(string) }
}
