import Foundation
import PixelCore
import PixelEncoders

/// A file of precomputed item representations (`pixelrec recommend --embeddings-cache`), so the item
/// tower runs once per checkpoint instead of once per run.
///
/// Layout (little-endian), 64-byte header then the payload:
///
/// | bytes    | field                                                                   |
/// |----------|-------------------------------------------------------------------------|
/// | 0 ..< 8  | magic `PXITEMV2` (format version 2; `PXITEMV1` had no payload checksum)  |
/// | 8 ..< 16 | checkpoint hash: the checkpoint's payload checksum (FNV-1a 64 of every weight) |
/// | 16 ..< 24| inputs hash: FNV-1a 64 of the catalog item ids and their content features |
/// | 24 ..< 32| item count `n`                                                          |
/// | 32 ..< 40| dimension `d`                                                           |
/// | 40 ..< 48| payload checksum: the checkpoint payload checksum (format 2) of the `n · d` floats |
/// | 48 ..< 64| zero                                                                    |
/// | 64 ...   | `n · d` Float32, row-major `[n, d]`                                     |
///
/// A cache whose hashes, count or dimension differ from the current ones is stale; one that breaks the
/// format (a header field out of range, a size that does not match, a payload checksum mismatch, the
/// older version 1) is invalid. Both are recomputed and the file is rewritten atomically (temporary
/// file + rename); the caller says so for an invalid one. A valid cache is read through a memory map and
/// copied once into the scorer's array.
public enum ItemVectorCache {
    public static let magic = Array("PXITEMV2".utf8)
    /// The magic of format version 1 (no payload checksum; recomputed when found).
    static let magicVersion1 = Array("PXITEMV1".utf8)
    public static let headerSize = 64
    /// Largest dimension a cache may declare (a checkpoint's `embeddingDim` limit).
    static let maximumDimension = ModelHyperparameters.maximumWidth

    /// What ``load(path:key:)`` found.
    public enum Lookup: Sendable, Equatable {
        case hit([Float])
        case missing
        /// The file is a valid cache of other vectors (the reason says which field differs).
        case stale(String)
        /// The file breaks the format: `field` is what is wrong, `reason` how.
        case invalid(field: String, reason: String)
    }

    /// The identity of a set of item vectors.
    public struct Key: Sendable, Equatable {
        public var checkpointHash: UInt64
        public var inputsHash: UInt64
        public var count: Int
        public var dimension: Int

        public init(checkpointHash: UInt64, inputsHash: UInt64, count: Int, dimension: Int) {
            self.checkpointHash = checkpointHash
            self.inputsHash = inputsHash
            self.count = count
            self.dimension = dimension
        }
    }

    /// FNV-1a 64 of the catalog item ids (each followed by a 0 byte) and the content matrices' bytes.
    public static func inputsHash(itemIds: [String], content: ItemContent) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for id in itemIds {
            var bytes = Array(id.utf8)
            bytes.append(0)
            bytes.withUnsafeBytes { Checkpoint.fnv1a($0, &hash) }
        }
        for matrix in [content.vision, content.text, content.numeric] {
            var width = UInt64(matrix.count).littleEndian
            withUnsafeBytes(of: &width) { Checkpoint.fnv1a($0, &hash) }
            matrix.withUnsafeBytes { Checkpoint.fnv1a($0, &hash) }
        }
        // A trainable text top's inputs: the cache's identity (encoder, model hash, cut), each item's token
        // count and the file's size — not its gigabytes of states, which `encode` derives from those.
        if let states = content.textStates {
            let cache = states.cache
            let text = Array("\(cache.identity.encoder)\u{0}\(cache.identity.modelHash)\u{0}\(cache.identity.cut)".utf8)
            text.withUnsafeBytes { Checkpoint.fnv1a($0, &hash) }
            var numbers = states.cacheRows.map { UInt64(cache.lengths[$0]).littleEndian }
            numbers.append(UInt64(cache.fileSize).littleEndian)
            numbers.withUnsafeBytes { Checkpoint.fnv1a($0, &hash) }
        }
        return hash
    }

    /// Reads the cache at `path` if it matches `key`.
    public static func load(path: String, key: Key) -> Lookup {
        guard FileManager.default.fileExists(atPath: path) else { return .missing }
        guard let data = try? Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped) else {
            return .invalid(field: "file", reason: "unreadable")
        }
        return lookup(data, key: key)
    }

    /// Validates a cache file's bytes — every header field against the format and against the file's
    /// size (overflow-checked), before anything is allocated — and returns its vectors if it matches `key`.
    public static func lookup(_ data: Data, key: Key) -> Lookup {
        guard data.count >= headerSize else {
            return .invalid(field: "header", reason: "\(data.count) bytes, shorter than the \(headerSize)-byte header")
        }
        func field(_ offset: Int) -> UInt64 {
            var value: UInt64 = 0
            for k in 0..<8 { value |= UInt64(data[data.startIndex + offset + k]) << (8 * UInt64(k)) }
            return value
        }
        let head = Array(data.prefix(8))
        if head == magicVersion1 {
            return .invalid(field: "format version", reason: "version 1 has no payload checksum")
        }
        guard head == magic else { return .invalid(field: "magic", reason: "not an item-vector cache") }
        let count = field(24), dimension = field(32)
        guard count <= UInt64(Int32.max) else {
            return .invalid(field: "item count", reason: "\(count) is outside 0...\(Int32.max)")
        }
        guard (1...UInt64(maximumDimension)).contains(dimension) else {
            return .invalid(field: "dimension", reason: "\(dimension) is outside 1...\(maximumDimension)")
        }
        guard field(48) == 0, field(56) == 0 else {
            return .invalid(field: "reserved", reason: "bytes 48..<64 are not zero")
        }
        // count < 2^31 and dimension <= 2^16: the product and byte size fit, but check anyway.
        let (floats, o1) = Int(count).multipliedReportingOverflow(by: Int(dimension))
        let (bytes, o2) = floats.multipliedReportingOverflow(by: 4)
        let (total, o3) = bytes.addingReportingOverflow(headerSize)
        guard !o1, !o2, !o3, total == data.count else {
            return .invalid(
                field: "item count",
                reason:
                    "\(count) items × \(dimension) floats need \(o1 || o2 || o3 ? "more than Int.max" : "\(total)") bytes, the file has \(data.count)"
            )
        }
        if field(8) != key.checkpointHash { return .stale("written for another checkpoint") }
        if field(16) != key.inputsHash { return .stale("written for other items or item features") }
        guard count == UInt64(key.count), dimension == UInt64(key.dimension) else { return .stale("other shape") }
        let checksum = data.withUnsafeBytes { raw in
            Checkpoint.payloadChecksum(version: 2) { body in body(UnsafeRawBufferPointer(rebasing: raw[headerSize...]))
            }
        }
        guard checksum == field(40) else {
            return .invalid(field: "payload checksum", reason: "mismatch (corrupt file)")
        }
        var vectors = [Float](repeating: 0, count: floats)
        vectors.withUnsafeMutableBytes { out in
            data.withUnsafeBytes { raw in
                out.copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[headerSize...]))
            }
        }
        return .hit(vectors)
    }

    /// The file's bytes for `vectors` (`key.count × key.dimension`).
    public static func encoded(_ vectors: [Float], key: Key) -> Data {
        precondition(vectors.count == key.count * key.dimension, "vector count does not match the key")
        let checksum = vectors.withUnsafeBytes { raw in Checkpoint.payloadChecksum(version: 2) { $0(raw) } }
        var data = Data(magic)
        for value in [key.checkpointHash, key.inputsHash, UInt64(key.count), UInt64(key.dimension), checksum] {
            var le = value.littleEndian
            withUnsafeBytes(of: &le) { data.append(contentsOf: $0) }
        }
        data.append(Data(count: headerSize - data.count))
        vectors.withUnsafeBytes { data.append(contentsOf: $0) }
        return data
    }

    /// Writes `vectors` (`key.count × key.dimension`) atomically.
    /// - Throws: `PixelError.io` when the file cannot be written.
    public static func write(_ vectors: [Float], key: Key, to path: String) throws {
        let data = encoded(vectors, key: key)
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try AtomicFile.write(data, to: path)
    }
}
