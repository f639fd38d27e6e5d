import Foundation

/// Item embeddings of one encoder on disk, keyed by item id, memory-mapped on read.
///
/// File format (version 1, little-endian):
///
/// | offset | size | field |
/// |---|---|---|
/// | 0 | 8 | magic `PXFSTORE` |
/// | 8 | 4 | version `u32` = 1 |
/// | 12 | 4 | dimension `d` `u32` |
/// | 16 | 8 | item count `n` `u64` |
/// | 24 | 1 | modality `u8` (0 image, 1 text) |
/// | 25 | 1 | reserved (0) |
/// | 26 | 2 | encoder name length `u16` |
/// | 28 | 2 | model hash length `u16` |
/// | 30 | 2 | reserved (0) |
/// | 32 | 8 | rows offset `u64` (multiple of 64) |
/// | 40 | 8 | flags offset `u64` = rows offset + `4·n·d` |
/// | 48 | 8 | ids offset `u64` = flags offset + `n` |
/// | 56 | 8 | file length `u64` |
/// | 64 | … | encoder name, then model hash (UTF-8), zero padding to the rows offset |
/// | rows | `4·n·d` | `float32` rows, item `i` at `rows + 4·i·d` |
/// | flags | `n` | per item: bit 0 = input missing (row is zeros) |
/// | ids | … | per item: `u32` byte length + UTF-8 id |
///
/// A file whose magic, version, offsets, length or ids do not check out is *invalid*; one whose encoder
/// name, model hash or dimension differ from the current encoder is *stale*; both are rebuilt by
/// ``FeatureStoreBuilder``.
public final class FeatureStore: @unchecked Sendable {
    public static let magic = Array("PXFSTORE".utf8)
    public static let version: UInt32 = 1
    /// Flag bit: the item had no image/text; its row is zeros.
    public static let missingFlag: UInt8 = 1

    public let path: String
    public let identity: EncoderIdentity
    public let count: Int
    public let ids: [String]
    /// Row index of each id.
    public let index: [String: Int]
    public let flags: [UInt8]
    // Immutable after init; the mapping is only read.
    private let data: Data
    private let rowsOffset: Int

    /// Opens and validates a store (the rows stay mapped, not copied).
    /// - Throws: `EncoderError.corruptStore` naming the bad field; `.invalidStore` when unreadable;
    ///   `.missingFile` when absent.
    public convenience init(contentsOf path: String) throws {
        try self.init(data: try StoreBytes.map(path, what: "feature store"), path: path)
    }

    /// Validates a store's bytes — every header field against the format's invariants, the others and
    /// the file's size, with overflow-checked arithmetic, before anything is allocated or indexed — and
    /// keeps `data` (not copied) for the rows.
    /// - Throws: `EncoderError.corruptStore` naming the first bad field (`item count`, `rows offset`, …).
    public init(data: Data, path: String) throws {
        func fail(_ field: String, _ reason: String) -> EncoderError {
            .corruptStore(path: path, field: field, reason: reason)
        }
        let size = data.count
        guard size >= 64 else { throw fail("header", "\(size) bytes, shorter than the 64-byte header") }
        let head = [UInt8](data.prefix(64))
        func field(_ offset: Int, _ width: Int) -> UInt64 {
            var value: UInt64 = 0
            for k in 0..<width { value |= UInt64(head[offset + k]) << (8 * UInt64(k)) }
            return value
        }
        guard Array(head[0..<8]) == Self.magic else { throw fail("magic", "not a pixelrec feature store (PXFSTORE)") }
        guard field(8, 4) == UInt64(Self.version) else {
            throw fail("version", "\(field(8, 4)), expected \(Self.version)")
        }
        guard field(56, 8) == UInt64(size) else {
            throw fail("file length", "the header says \(field(56, 8)) bytes, the file has \(size) (truncated?)")
        }
        let dimension64 = field(12, 4), count64 = field(16, 8)
        guard (1...UInt64(Self.maximumDimension)).contains(dimension64) else {
            throw fail("dimension", "\(dimension64) is outside 1...\(Self.maximumDimension)")
        }
        // Each item takes at least 4 bytes of rows, a flag byte and a 4-byte id length: n ≤ size / 9.
        guard count64 <= UInt64(size) / 9 else {
            throw fail("item count", "\(count64) items cannot fit in \(size) bytes")
        }
        guard field(24, 1) <= 1 else { throw fail("modality", "\(field(24, 1)) is neither 0 (image) nor 1 (text)") }
        guard field(25, 1) == 0, field(30, 2) == 0 else { throw fail("reserved", "bytes 25 and 30..<32 are not zero") }
        let dimension = Int(dimension64), count = Int(count64)
        let nameLength = Int(field(26, 2)), hashLength = Int(field(28, 2))
        let stringsEnd = 64 + nameLength + hashLength  // at most 64 + 2 · 65535
        let rows64 = field(32, 8), flags64 = field(40, 8), ids64 = field(48, 8)
        guard rows64 % 64 == 0, rows64 >= UInt64(stringsEnd), rows64 <= UInt64(size) else {
            throw fail(
                "rows offset",
                "\(rows64) is not a multiple of 64 in \(stringsEnd)...\(size) (the names' end to the file's end)")
        }
        let rows = Int(rows64)
        let (floats, o1) = count.multipliedReportingOverflow(by: dimension)
        let (rowBytes, o2) = floats.multipliedReportingOverflow(by: 4)
        let (rowsEnd, o3) = rows.addingReportingOverflow(rowBytes)
        guard !o1, !o2, !o3, rowsEnd <= size else {
            throw fail(
                "item count",
                "\(count) items × \(dimension) floats from byte \(rows) run past the file's \(size) bytes")
        }
        guard flags64 == UInt64(rowsEnd) else {
            throw fail("flags offset", "\(flags64), expected rows offset + 4·count·dimension = \(rowsEnd)")
        }
        let flagsAt = rowsEnd
        let (idsAt, o4) = flagsAt.addingReportingOverflow(count)
        guard !o4, ids64 == UInt64(idsAt) else {
            throw fail(
                "ids offset", "\(ids64), expected flags offset + count = \(o4 ? "more than Int.max" : String(idsAt))")
        }
        guard idsAt <= size, (size - idsAt) / 4 >= count else {
            throw fail("ids offset", "\(idsAt) leaves no room for \(count) ids in the file's \(size) bytes")
        }
        let strings = data.subdata(in: (data.startIndex + 64)..<(data.startIndex + stringsEnd))
        guard let name = String(validating: strings.prefix(nameLength), as: UTF8.self) else {
            throw fail("encoder name", "not UTF-8")
        }
        guard let hash = String(validating: strings.suffix(hashLength), as: UTF8.self) else {
            throw fail("model hash", "not UTF-8")
        }
        let flags = [UInt8](data[(data.startIndex + flagsAt)..<(data.startIndex + idsAt)])
        if let bad = flags.firstIndex(where: { $0 & ~Self.missingFlag != 0 }) {
            throw fail("flags[\(bad)]", "\(flags[bad]) has bits other than the missing flag")
        }
        let (ids, index) = try StoreBytes.ids(
            [UInt8](data[(data.startIndex + idsAt)...]), count: count, fail: fail)
        let modality: EncoderModality = field(24, 1) == 0 ? .image : .text
        self.path = path
        self.identity = EncoderIdentity(name: name, modality: modality, dimension: dimension, modelHash: hash)
        self.count = count
        self.ids = ids
        self.index = index
        self.flags = flags
        self.data = data
        self.rowsOffset = rows
    }

    /// Largest dimension a store may declare.
    public static let maximumDimension = 1 << 20

    /// `text` quoted for a one-line message (control characters escaped, at most 48 characters).
    static func quoted(_ text: String) -> String {
        var out = ""
        for (k, scalar) in text.unicodeScalars.enumerated() {
            if k == 48 {
                out += "…"
                break
            }
            if scalar.value < 0x20 || scalar.value == 0x7F || (0x80..<0xA0).contains(scalar.value)
                || scalar == "\u{2028}" || scalar == "\u{2029}"
            {
                out += "\\u{\(String(scalar.value, radix: 16))}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return "'" + out + "'"
    }

    public var dimension: Int { identity.dimension }

    /// Whether item `i` had no input (its row is zeros).
    public func isMissing(_ i: Int) -> Bool { flags[i] & Self.missingFlag != 0 }

    /// Calls `body` with all rows, `[count, dimension]` row-major, straight from the mapping.
    public func withRows<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try data.withUnsafeBytes { raw in
            let base = raw.baseAddress.map { $0 + rowsOffset }
            let floats = UnsafeBufferPointer<Float>(
                start: base?.assumingMemoryBound(to: Float.self), count: count * identity.dimension)
            return try body(floats)
        }
    }

    /// The row of item `id`, or `nil` when it is not stored.
    public func vector(for id: String) -> [Float]? {
        guard let i = index[id] else { return nil }
        let d = identity.dimension
        return withRows { Array($0[(i * d)..<((i + 1) * d)]) }
    }

    /// Rows of `ids` in order, `[ids.count, dimension]`; ids not in the store (or flagged missing) give
    /// zero rows and `present[k] == false`.
    public func matrix(for ids: [String]) -> (rows: [Float], present: [Bool]) {
        let d = identity.dimension
        var out = [Float](repeating: 0, count: ids.count * d)
        var present = [Bool](repeating: false, count: ids.count)
        withRows { rows in
            out.withUnsafeMutableBufferPointer { o in
                guard let source = rows.baseAddress, let target = o.baseAddress else { return }
                for (k, id) in ids.enumerated() {
                    guard let i = index[id], !isMissing(i) else { continue }
                    present[k] = true
                    (target + k * d).update(from: source + i * d, count: d)  // one row copy, no per-scalar checks
                }
            }
        }
        return (out, present)
    }
}
