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
    /// - Throws: `EncoderError.invalidStore` naming what is wrong; `.missingFile` when absent.
    public init(contentsOf path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else {
            throw EncoderError.missingFile(path: path, what: "feature store")
        }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        } catch {
            throw EncoderError.invalidStore(path: path, reason: "cannot read")
        }
        func fail(_ reason: String) -> EncoderError { .invalidStore(path: path, reason: reason) }
        guard data.count >= 64 else { throw fail("shorter than the 64-byte header") }
        let head = [UInt8](data.prefix(64))
        func field(_ offset: Int, _ size: Int) -> UInt64 {
            var value: UInt64 = 0
            for k in 0..<size { value |= UInt64(head[offset + k]) << (8 * UInt64(k)) }
            return value
        }
        let header: (ok: Bool, [UInt64]) = (
            Array(head[0..<8]) == Self.magic,
            [
                field(8, 4), field(12, 4), field(16, 8), field(24, 1), field(26, 2), field(28, 2), field(32, 8),
                field(40, 8), field(48, 8), field(56, 8),
            ]
        )
        guard header.ok else { throw fail("bad magic (not a pixelrec feature store)") }
        let h = header.1
        guard h[0] == UInt64(Self.version) else { throw fail("version \(h[0]), expected \(Self.version)") }
        let dimension = Int(h[1]), count = Int(clamping: h[2])
        let nameLength = Int(h[4]), hashLength = Int(h[5])
        let rows = Int(clamping: h[6]), flagsAt = Int(clamping: h[7]), idsAt = Int(clamping: h[8])
        guard Int(clamping: h[9]) == data.count else { throw fail("length \(data.count) differs from the header's \(h[9]) (truncated?)") }
        guard dimension > 0, count >= 0, count <= data.count, dimension <= 1 << 20 else { throw fail("bad dimension or count") }
        guard h[3] <= 1 else { throw fail("bad modality") }
        let modality: EncoderModality = h[3] == 0 ? .image : .text
        let rowBytes: Int = 4 * count * dimension
        let stringsEnd: Int = 64 + nameLength + hashLength
        let offsetsOK: Bool = stringsEnd <= rows && rows % 64 == 0 && flagsAt == rows + rowBytes
        guard offsetsOK, idsAt == flagsAt + count, idsAt <= data.count else { throw fail("inconsistent offsets") }
        let strings = data.subdata(in: 64..<(64 + nameLength + hashLength))
        guard let name = String(data: strings.prefix(nameLength), encoding: .utf8),
            let hash = String(data: strings.suffix(hashLength), encoding: .utf8)
        else { throw fail("encoder name is not UTF-8") }
        var ids: [String] = []
        ids.reserveCapacity(count)
        var index: [String: Int] = [:]
        index.reserveCapacity(count)
        let idBytes = [UInt8](data[idsAt..<data.count])
        var cursor = 0
        for i in 0..<count {
            guard cursor + 4 <= idBytes.count else { throw fail("id \(i) truncated") }
            var length = 0
            for k in 0..<4 { length |= Int(idBytes[cursor + k]) << (8 * k) }
            cursor += 4
            guard length <= idBytes.count - cursor,
                let id = String(validating: idBytes[cursor..<(cursor + length)], as: UTF8.self)
            else { throw fail("id \(i) truncated or not UTF-8") }
            cursor += length
            guard index.updateValue(i, forKey: id) == nil else { throw fail("duplicate item id '\(id)'") }
            ids.append(id)
        }
        guard cursor == idBytes.count else { throw fail("\(idBytes.count - cursor) trailing bytes") }
        self.path = path
        self.identity = EncoderIdentity(name: name, modality: modality, dimension: dimension, modelHash: hash)
        self.count = count
        self.ids = ids
        self.index = index
        self.flags = Array(data[flagsAt..<idsAt])
        self.data = data
        self.rowsOffset = rows
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
