import Foundation
import PixelCore

/// A file of precomputed item representations (`pixelrec recommend --embeddings-cache`), so the item
/// tower runs once per checkpoint instead of once per run.
///
/// Layout (little-endian), 64-byte header then the payload:
///
/// | bytes    | field                                                                   |
/// |----------|-------------------------------------------------------------------------|
/// | 0 ..< 8  | magic `PXITEMV1`                                                        |
/// | 8 ..< 16 | checkpoint hash: the checkpoint's payload checksum (FNV-1a 64 of every weight) |
/// | 16 ..< 24| inputs hash: FNV-1a 64 of the catalog item ids and their content features |
/// | 24 ..< 32| item count `n`                                                          |
/// | 32 ..< 40| dimension `d`                                                           |
/// | 40 ..< 64| zero                                                                    |
/// | 64 ...   | `n · d` Float32, row-major `[n, d]`                                     |
///
/// A cache whose hashes, count or dimension differ from the current ones is stale: the vectors are
/// recomputed and the file is rewritten atomically (temporary file + rename). A valid cache is read
/// through a memory map and copied once into the scorer's array.
public enum ItemVectorCache {
    public static let magic = Array("PXITEMV1".utf8)
    public static let headerSize = 64

    /// What ``load(path:key:)`` found.
    public enum Lookup: Sendable, Equatable {
        case hit([Float])
        case missing
        /// The file exists but does not match (the reason says which field).
        case stale(String)
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
        return hash
    }

    /// Reads the cache at `path` if it matches `key`.
    public static func load(path: String, key: Key) -> Lookup {
        guard FileManager.default.fileExists(atPath: path) else { return .missing }
        guard let data = try? Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped) else {
            return .stale("unreadable")
        }
        guard data.count >= headerSize, Array(data.prefix(8)) == magic else {
            return .stale("not an item-vector cache")
        }
        func field(_ offset: Int) -> UInt64 {
            var value: UInt64 = 0
            for k in 0..<8 { value |= UInt64(data[data.startIndex + offset + k]) << (8 * UInt64(k)) }
            return value
        }
        if field(8) != key.checkpointHash { return .stale("written for another checkpoint") }
        if field(16) != key.inputsHash { return .stale("written for other items or item features") }
        guard field(24) == UInt64(key.count), field(32) == UInt64(key.dimension) else { return .stale("other shape") }
        let floats = key.count * key.dimension
        guard data.count == headerSize + 4 * floats else { return .stale("truncated") }
        var vectors = [Float](repeating: 0, count: floats)
        vectors.withUnsafeMutableBytes { out in
            data.withUnsafeBytes { raw in
                out.copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[headerSize...]))
            }
        }
        return .hit(vectors)
    }

    /// Writes `vectors` (`key.count × key.dimension`) atomically.
    /// - Throws: `PixelError.io` when the file cannot be written.
    public static func write(_ vectors: [Float], key: Key, to path: String) throws {
        precondition(vectors.count == key.count * key.dimension, "vector count does not match the key")
        var data = Data(magic)
        for value in [key.checkpointHash, key.inputsHash, UInt64(key.count), UInt64(key.dimension)] {
            var le = value.littleEndian
            withUnsafeBytes(of: &le) { data.append(contentsOf: $0) }
        }
        data.append(Data(count: headerSize - data.count))
        vectors.withUnsafeBytes { data.append(contentsOf: $0) }
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try AtomicFile.write(data, to: path)
    }
}
