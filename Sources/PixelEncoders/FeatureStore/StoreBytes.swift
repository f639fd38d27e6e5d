import Foundation

/// Pieces shared by the binary store formats (``FeatureStore``, ``HiddenStateCache``): opening a file as
/// a memory map, little-endian header fields, and the id table both end with (written and read).
enum StoreBytes {
    /// Stores the low `size` bytes of `value`, little-endian, at `bytes[offset ..< offset + size]`.
    static func put(_ value: UInt64, at offset: Int, size: Int, into bytes: inout [UInt8]) {
        for k in 0..<size { bytes[offset + k] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(k))) }
    }

    /// Appends the id table of `ids` to `bytes`: per id a `UInt32` little-endian byte length, then its UTF-8
    /// (what ``ids(_:count:fail:)`` reads).
    static func appendIds(_ ids: [String], to bytes: inout [UInt8]) {
        for id in ids {
            let count = id.utf8.count
            for k in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: count >> (8 * k))) }
            bytes.append(contentsOf: id.utf8)
        }
    }

    /// The file at `path`, memory-mapped (its bytes are read on demand, never copied).
    /// - Throws: `EncoderError.missingFile` (naming `what`) when absent, `.invalidStore` when unreadable.
    static func map(_ path: String, what: String) throws -> Data {
        guard FileManager.default.fileExists(atPath: path) else {
            throw EncoderError.missingFile(path: path, what: what)
        }
        do {
            return try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        } catch {
            throw EncoderError.invalidStore(path: path, reason: "cannot read")
        }
    }

    /// Reads the id table that fills `bytes` exactly: `count` entries of a `UInt32` little-endian byte
    /// length and that many bytes of UTF-8 — non-empty, without NUL, unique.
    /// - Parameter fail: the error for a field (`ids[i]`, `ids`) and a reason.
    static func ids(_ bytes: [UInt8], count: Int, fail: (String, String) -> EncoderError) throws
        -> (ids: [String], index: [String: Int])
    {
        var ids: [String] = []
        ids.reserveCapacity(count)
        var index: [String: Int] = [:]
        index.reserveCapacity(count)
        var cursor = 0
        for i in 0..<count {
            guard bytes.count - cursor >= 4 else { throw fail("ids[\(i)]", "truncated") }
            var length = 0
            for k in 0..<4 { length |= Int(bytes[cursor + k]) << (8 * k) }
            cursor += 4
            guard length <= bytes.count - cursor else {
                throw fail("ids[\(i)]", "length \(length) runs past the end of the file")
            }
            guard length > 0, let id = String(validating: bytes[cursor..<(cursor + length)], as: UTF8.self),
                !id.utf8.contains(0)
            else { throw fail("ids[\(i)]", "empty, not UTF-8 or containing a NUL byte") }
            cursor += length
            guard index.updateValue(i, forKey: id) == nil else {
                throw fail("ids[\(i)]", "duplicate item id \(FeatureStore.quoted(id))")
            }
            ids.append(id)
        }
        guard cursor == bytes.count else { throw fail("ids", "\(bytes.count - cursor) trailing bytes") }
        return (ids, index)
    }
}
