import Foundation

/// Per-item hidden states of a text encoder at the cut below its trainable top (issue 14), on disk in the
/// feature store directory, memory-mapped on read: the frozen lower blocks run once (`pixelrec encode`), so
/// an epoch costs only the top blocks.
///
/// **Bytes per item**: `2·T·E + 4 + 4 + len(id)` — `T·E` fp16 states (`T` = the catalog's longest tokenized
/// text, at most the tokenizer's maximum length; `E` = the hidden width), a `u32` length and the id with its
/// `u32` byte count. all-MiniLM-L6-v2 (`E` = 384, maximum length 256): at most 196,616 bytes + id per item
/// (≈ 39 GB for 200,000 items at the maximum; a catalog of titles tokenizing to ≤ 32 tokens: 24,584 bytes).
///
/// File format (version 1, little-endian):
///
/// | offset | size | field |
/// |---|---|---|
/// | 0 | 8 | magic `PXHIDDEN` |
/// | 8 | 4 | version `u32` = 1 |
/// | 12 | 4 | hidden width `E` `u32`, `1…65536` |
/// | 16 | 4 | length `T` `u32`, `1…65536` |
/// | 20 | 4 | reserved (0) |
/// | 24 | 8 | item count `n` `u64` |
/// | 32 | 2 | encoder name length `u16` |
/// | 34 | 2 | model hash length `u16` |
/// | 36 | 2 | cut name length `u16` |
/// | 38 | 2 | reserved (0) |
/// | 40 | 8 | states offset `u64` (multiple of 64) |
/// | 48 | 8 | lengths offset `u64` = states offset + `2·n·T·E` |
/// | 56 | 8 | ids offset `u64` = lengths offset + `4·n` |
/// | 64 | 8 | file length `u64` |
/// | 72 | … | encoder name, model hash, cut name (UTF-8), zero padding to the states offset |
/// | states | `2·n·T·E` | fp16 `[n, T, E]`, item `i` at `states + 2·i·T·E`; positions past its length are 0 |
/// | lengths | `4·n` | `u32` tokens of each item, `≤ T`; its attention mask is 1 for the first `length` positions; 0 = no text |
/// | ids | … | per item: `u32` byte length + UTF-8 id |
///
/// Every header field is checked against the others and the file's size (overflow-checked) before
/// anything is allocated or indexed; the states of an item are checked (finite) when they are read.
public final class HiddenStateCache: @unchecked Sendable {
    public static let magic = Array("PXHIDDEN".utf8)
    public static let version: UInt32 = 1
    public static let headerSize = 72
    /// Largest width and length a cache may declare.
    public static let maximumExtent = 1 << 16

    /// What produced the states: the encoder (name, model hash as in its ``EncoderIdentity``) and the value
    /// the top reads (``TrainableEncoderTop/cut``).
    public struct Identity: Sendable, Equatable, CustomStringConvertible {
        public var encoder: String
        public var modelHash: String
        public var cut: String

        public init(encoder: String, modelHash: String, cut: String) {
            self.encoder = encoder
            self.modelHash = modelHash
            self.cut = cut
        }

        public var description: String { "\(encoder) (\(modelHash)) at \(cut)" }
    }

    public let path: String
    public let identity: Identity
    /// Hidden width `E`.
    public let width: Int
    /// Positions stored per item `T`.
    public let length: Int
    public let count: Int
    public let ids: [String]
    /// Row of each id.
    public let index: [String: Int]
    /// Tokens of each item (`0` = no text).
    public let lengths: [Int]
    // Immutable after init; the mapping is only read.
    private let data: Data
    private let statesOffset: Int

    /// Opens and validates a cache (the states stay mapped, not copied).
    /// - Throws: `EncoderError.missingFile` when absent, `.invalidStore` when unreadable, `.corruptStore`
    ///   naming the first bad field.
    public convenience init(contentsOf path: String) throws {
        try self.init(data: try StoreBytes.map(path, what: "hidden-state cache"), path: path)
    }

    /// Validates a cache's bytes and keeps `data` (not copied) for the states.
    /// - Throws: `EncoderError.corruptStore` naming the first bad field.
    public init(data: Data, path: String) throws {
        func fail(_ field: String, _ reason: String) -> EncoderError {
            .corruptStore(path: path, field: field, reason: reason)
        }
        let size = data.count
        let h = Self.headerSize
        guard size >= h else { throw fail("header", "\(size) bytes, shorter than the \(h)-byte header") }
        let head = [UInt8](data.prefix(h))
        func field(_ offset: Int, _ width: Int) -> UInt64 {
            var value: UInt64 = 0
            for k in 0..<width { value |= UInt64(head[offset + k]) << (8 * UInt64(k)) }
            return value
        }
        guard Array(head[0..<8]) == Self.magic else {
            throw fail("magic", "not a pixelrec hidden-state cache (PXHIDDEN)")
        }
        guard field(8, 4) == UInt64(Self.version) else {
            throw fail("version", "\(field(8, 4)), expected \(Self.version)")
        }
        guard field(64, 8) == UInt64(size) else {
            throw fail("file length", "the header says \(field(64, 8)) bytes, the file has \(size) (truncated?)")
        }
        let width64 = field(12, 4), length64 = field(16, 4), count64 = field(24, 8)
        let extent = 1...UInt64(Self.maximumExtent)
        guard extent.contains(width64) else { throw fail("width", "\(width64) is outside \(extent)") }
        guard extent.contains(length64) else { throw fail("length", "\(length64) is outside \(extent)") }
        guard field(20, 4) == 0, field(38, 2) == 0 else {
            throw fail("reserved", "bytes 20..<24 and 38..<40 are not zero")
        }
        // Each item takes at least 2·T·E ≥ 2 bytes of states, a 4-byte length and a 4-byte id length.
        guard count64 <= UInt64(size) / 10 else {
            throw fail("item count", "\(count64) items cannot fit in \(size) bytes")
        }
        let width = Int(width64), length = Int(length64), count = Int(count64)
        let nameLength = Int(field(32, 2)), hashLength = Int(field(34, 2)), cutLength = Int(field(36, 2))
        let stringsEnd = h + nameLength + hashLength + cutLength  // at most 72 + 3 · 65535
        let states64 = field(40, 8), lengths64 = field(48, 8), ids64 = field(56, 8)
        guard states64 % 64 == 0, states64 >= UInt64(stringsEnd), states64 <= UInt64(size) else {
            throw fail(
                "states offset",
                "\(states64) is not a multiple of 64 in \(stringsEnd)...\(size) (the names' end to the file's end)")
        }
        let states = Int(states64)
        // T, E ≤ 2^16 and n ≤ size/10, so only the products with n can overflow.
        let (halves, o1) = count.multipliedReportingOverflow(by: length * width)
        let (stateBytes, o2) = halves.multipliedReportingOverflow(by: 2)
        let (statesEnd, o3) = states.addingReportingOverflow(stateBytes)
        guard !o1, !o2, !o3, statesEnd <= size else {
            throw fail(
                "item count",
                "\(count) items × \(length) × \(width) fp16 values from byte \(states) run past the file's \(size) bytes"
            )
        }
        guard lengths64 == UInt64(statesEnd) else {
            throw fail("lengths offset", "\(lengths64), expected states offset + 2·n·T·E = \(statesEnd)")
        }
        let (idsAt, o4) = statesEnd.addingReportingOverflow(4 * count)  // 4·n ≤ size: no overflow
        guard !o4, idsAt <= size, ids64 == UInt64(idsAt) else {
            throw fail(
                "ids offset",
                "\(ids64), expected lengths offset + 4·n = \(o4 ? "more than Int.max" : String(idsAt)) ≤ \(size)")
        }
        guard (size - idsAt) / 4 >= count else {
            throw fail("ids offset", "\(idsAt) leaves no room for \(count) ids in the file's \(size) bytes")
        }
        let strings = [UInt8](data[(data.startIndex + h)..<(data.startIndex + stringsEnd)])
        func text(_ range: Range<Int>, _ name: String) throws -> String {
            guard let value = String(validating: strings[range], as: UTF8.self) else { throw fail(name, "not UTF-8") }
            return value
        }
        let name = try text(0..<nameLength, "encoder name")
        let hash = try text(nameLength..<(nameLength + hashLength), "model hash")
        let cut = try text((nameLength + hashLength)..<strings.count, "cut name")
        let lengthBytes = [UInt8](data[(data.startIndex + statesEnd)..<(data.startIndex + idsAt)])
        var lengths = [Int](repeating: 0, count: count)
        for i in 0..<count {
            var value = 0
            for k in 0..<4 { value |= Int(lengthBytes[4 * i + k]) << (8 * k) }
            guard value <= length else { throw fail("lengths[\(i)]", "\(value) tokens, more than T = \(length)") }
            lengths[i] = value
        }
        let (ids, index) = try StoreBytes.ids(
            [UInt8](data[(data.startIndex + idsAt)...]), count: count, fail: fail)
        self.path = path
        self.identity = Identity(encoder: name, modelHash: hash, cut: cut)
        self.width = width
        self.length = length
        self.count = count
        self.ids = ids
        self.index = index
        self.lengths = lengths
        self.data = data
        self.statesOffset = states
    }

    /// Checks that every stored state of `rows` (their first `lengths[row]` positions) is finite: one pass
    /// over their bytes, for callers that read the same rows many times (training).
    /// - Throws: `EncoderError.invalidArgument` for a row out of range; `.corruptStore` naming the first
    ///   item with a non-finite state.
    public func checkFinite(rows: [Int]) throws {
        for row in rows where !(0..<count).contains(row) {
            throw EncoderError.invalidArgument("\(path): row \(row) is not in 0..<\(count)")
        }
        let e = width
        let bad: Int? = data.withUnsafeBytes { raw -> Int? in
            guard let base = raw.baseAddress else { return nil }
            for row in rows {
                let source = base + statesOffset + 2 * row * length * e
                for k in 0..<(lengths[row] * e)
                where source.load(fromByteOffset: 2 * k + 1, as: UInt8.self) & 0x7C == 0x7C {
                    return row  // exponent bits all ones: infinity or NaN
                }
            }
            return nil
        }
        if let bad {
            throw EncoderError.corruptStore(
                path: path, field: "states[\(FeatureStore.quoted(ids[bad]))]",
                reason: "holds a value that is not finite")
        }
    }

    /// The file's size in bytes.
    public var fileSize: Int { data.count }

    /// The hidden states of `rows` (cache rows, e.g. from ``index``) as one padded batch: `states`
    /// `[rows.count, L, E]` Float32 row-major with `L` = the longest of them (at least 1), zeros past each
    /// item's length, and `mask` `[rows.count, L]` (1 for its first `lengths[row]` positions).
    /// - Throws: `EncoderError.invalidArgument` for a row out of range; `.corruptStore` naming the item
    ///   when a stored value is not finite.
    public func batch(_ rows: [Int]) throws -> (states: [Float], mask: [Int64], length: Int) {
        for row in rows where !(0..<count).contains(row) {
            throw EncoderError.invalidArgument("\(path): row \(row) is not in 0..<\(count)")
        }
        let l = max(1, rows.map { lengths[$0] }.max() ?? 0)
        let e = width
        var states = [Float](repeating: 0, count: rows.count * l * e)
        var mask = [Int64](repeating: 0, count: rows.count * l)
        var bad: Int? = nil
        data.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return }
            states.withUnsafeMutableBufferPointer { out in
                for (b, row) in rows.enumerated() {
                    let n = lengths[row]
                    for j in 0..<n { mask[b * l + j] = 1 }
                    // fp16 bits read byte-wise: the mapping need not be 2-byte aligned for every row.
                    let source = base + statesOffset + 2 * row * length * e
                    let target = b * l * e
                    for k in 0..<(n * e) {
                        let bits =
                            UInt16(source.load(fromByteOffset: 2 * k, as: UInt8.self))
                            | UInt16(source.load(fromByteOffset: 2 * k + 1, as: UInt8.self)) << 8
                        if bits & 0x7C00 == 0x7C00 { bad = row }  // infinity or NaN
                        out[target + k] = Float(Float16(bitPattern: bits))
                    }
                    if bad != nil { return }
                }
            }
        }
        if let bad {
            throw EncoderError.corruptStore(
                path: path, field: "states[\(FeatureStore.quoted(ids[bad]))]",
                reason: "holds a value that is not finite")
        }
        return (states, mask, l)
    }
}
