import Foundation
import PixelCore

extension HiddenStateCache {
    /// Writes a cache atomically (temporary file + rename) in the documented format, streaming: `fill`
    /// hands over each item's states as they are computed (in any order), so only one item's fp16 row is
    /// held at a time.
    /// - Parameters:
    ///   - length: `T`, at least every entry of `lengths` (and 1).
    ///   - lengths: tokens of each item; 0 = no text (its states are zeros and `fill` need not give them).
    ///   - fill: calls `put(row, states)` with `states` `[lengths[row], width]` row-major Float32, once for
    ///     each row with `lengths[row] > 0`.
    /// - Throws: `EncoderError.invalidArgument` on sizes that do not fit, duplicate ids, a row given twice
    ///   or not at all, or a value outside the fp16 range; `PixelError.io`.
    public static func write(
        identity: Identity, width: Int, length: Int, ids: [String], lengths: [Int], to path: String,
        fill: (_ put: (Int, UnsafeBufferPointer<Float>) throws -> Void) throws -> Void
    ) throws {
        let n = ids.count
        let extent = 1...maximumExtent
        guard extent.contains(width), extent.contains(length), lengths.count == n,
            lengths.allSatisfy({ (0...length).contains($0) })
        else {
            throw EncoderError.invalidArgument(
                "hidden-state cache: width \(width), length \(length), \(lengths.count) lengths for \(n) items")
        }
        guard Set(ids).count == n, !ids.contains(where: \.isEmpty) else {
            throw EncoderError.invalidArgument("hidden-state cache: duplicate or empty item ids")
        }
        let strings = [identity.encoder, identity.modelHash, identity.cut].map { Array($0.utf8) }
        guard strings.allSatisfy({ $0.count < 65536 }) else {
            throw EncoderError.invalidArgument("hidden-state cache: a name is longer than 65535 bytes")
        }
        let statesOffset = (headerSize + strings.reduce(0) { $0 + $1.count } + 63) / 64 * 64
        let rowBytes = 2 * length * width
        let lengthsOffset = statesOffset + n * rowBytes
        let idsOffset = lengthsOffset + 4 * n
        let fileLength = idsOffset + ids.reduce(0) { $0 + 4 + $1.utf8.count }
        var header = [UInt8](repeating: 0, count: statesOffset)
        for (k, byte) in magic.enumerated() { header[k] = byte }
        var fields: [(UInt64, Int, Int)] = [(UInt64(version), 8, 4), (UInt64(width), 12, 4), (UInt64(length), 16, 4)]
        fields.append((UInt64(n), 24, 8))
        for (k, s) in strings.enumerated() { fields.append((UInt64(s.count), 32 + 2 * k, 2)) }
        fields += [
            (UInt64(statesOffset), 40, 8), (UInt64(lengthsOffset), 48, 8), (UInt64(idsOffset), 56, 8),
            (UInt64(fileLength), 64, 8),
        ]
        for (value, offset, size) in fields { StoreBytes.put(value, at: offset, size: size, into: &header) }
        for (k, byte) in strings.joined().enumerated() { header[headerSize + k] = byte }
        var tail = [UInt8]()
        tail.reserveCapacity(fileLength - lengthsOffset)
        for l in lengths { for k in 0..<4 { tail.append(UInt8(truncatingIfNeeded: l >> (8 * k))) } }
        StoreBytes.appendIds(ids, to: &tail)
        try AtomicFile.write(to: path) { handle in
            try handle.write(contentsOf: Data(header))
            // Every row starts as zeros (ftruncate extends with zeros; items without text stay so), and
            // `fill` overwrites the rows it gives.
            try handle.truncate(atOffset: UInt64(lengthsOffset))
            try handle.seek(toOffset: UInt64(lengthsOffset))
            try handle.write(contentsOf: Data(tail))
            var given = [Bool](repeating: false, count: n)
            var row16 = [UInt8](repeating: 0, count: rowBytes)
            try fill { row, states in
                guard (0..<n).contains(row), !given[row], states.count == lengths[row] * width, lengths[row] > 0 else {
                    throw EncoderError.invalidArgument(
                        "hidden-state cache: row \(row) given twice, out of range or with \(states.count) values "
                            + "(expected its length × \(width))")
                }
                given[row] = true
                for k in row16.indices { row16[k] = 0 }
                for (k, x) in states.enumerated() {
                    let half = Float16(x)
                    guard half.isFinite else {
                        throw EncoderError.invalidArgument(
                            "hidden-state cache: item \(FeatureStore.quoted(ids[row])): \(x) is outside the fp16 range")
                    }
                    let bits = half.bitPattern
                    row16[2 * k] = UInt8(truncatingIfNeeded: bits)
                    row16[2 * k + 1] = UInt8(truncatingIfNeeded: bits >> 8)
                }
                try handle.seek(toOffset: UInt64(statesOffset + row * rowBytes))
                try handle.write(contentsOf: Data(row16))
            }
            if let missing = (0..<n).first(where: { lengths[$0] > 0 && !given[$0] }) {
                throw EncoderError.invalidArgument(
                    "hidden-state cache: no states given for item \(FeatureStore.quoted(ids[missing]))")
            }
        }
    }
}
