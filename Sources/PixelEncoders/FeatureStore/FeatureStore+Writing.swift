import Foundation
import PixelCore

extension FeatureStore {
    /// Writes a store atomically (temporary file + rename) in the documented format.
    /// - Parameters:
    ///   - rows: `[ids.count, identity.dimension]` row-major.
    ///   - missing: per item, whether its input was missing.
    /// - Throws: `EncoderError.invalidArgument` on size mismatches or duplicate ids; `PixelError.io`.
    public static func write(
        identity: EncoderIdentity, ids: [String], rows: [Float], missing: [Bool], to path: String
    ) throws {
        let n = ids.count, d = identity.dimension
        guard rows.count == n * d, missing.count == n, d > 0 else {
            throw EncoderError.invalidArgument(
                "feature store: \(rows.count) floats / \(missing.count) flags for \(n) × \(d)")
        }
        guard Set(ids).count == n else { throw EncoderError.invalidArgument("feature store: duplicate item ids") }
        let name = Array(identity.name.utf8), hash = Array(identity.modelHash.utf8)
        guard name.count < 65536, hash.count < 65536 else {
            throw EncoderError.invalidArgument("feature store: name too long")
        }
        let rowsOffset = (64 + name.count + hash.count + 63) / 64 * 64
        let flagsOffset = rowsOffset + 4 * n * d
        let idsOffset = flagsOffset + n
        let idBytes = ids.reduce(0) { $0 + 4 + $1.utf8.count }
        let length = idsOffset + idBytes
        var header = [UInt8](repeating: 0, count: rowsOffset)
        for (k, byte) in magic.enumerated() { header[k] = byte }
        for (value, offset, size) in [
            (UInt64(version), 8, 4), (UInt64(d), 12, 4), (UInt64(n), 16, 8),
            (identity.modality == .image ? 0 : 1, 24, 1),
            (UInt64(name.count), 26, 2), (UInt64(hash.count), 28, 2), (UInt64(rowsOffset), 32, 8),
            (UInt64(flagsOffset), 40, 8), (UInt64(idsOffset), 48, 8), (UInt64(length), 56, 8),
        ] {
            StoreBytes.put(value, at: offset, size: size, into: &header)
        }
        for (k, byte) in (name + hash).enumerated() { header[64 + k] = byte }
        var tail = [UInt8]()
        tail.reserveCapacity(n + idBytes)
        tail.append(contentsOf: missing.map { $0 ? missingFlag : 0 })
        StoreBytes.appendIds(ids, to: &tail)
        try AtomicFile.write(to: path) { handle in
            try handle.write(contentsOf: Data(header))
            // Float rows are little-endian in memory on every platform we build for.
            try rows.withUnsafeBytes { try handle.write(contentsOf: Data($0)) }
            try handle.write(contentsOf: Data(tail))
        }
    }
}
