import Foundation
import PixelCore

/// A dense string ↔ index map: the `i`-th distinct key gets index `i` (`Int32`, first-seen order).
///
/// Keys live in one contiguous byte arena and are found through an open-addressing table
/// (FNV-1a 64-bit hash, linear probing, load ≤ 0.5), so inserting a field's bytes allocates nothing
/// per key beyond amortised arena growth.
///
/// Persisted as JSON: `{"format": "pixelrec-idmap", "version": 1, "name": "...", "keys": ["u1", ...]}`
/// where `keys[i]` is the key of index `i`.
public struct IdMap: Sendable, Equatable {
    /// The format version written by `save(to:)` and required by `load(from:)`.
    public static let formatVersion = 1

    var arena: [UInt8] = []
    var offsets: [Int] = [0]
    var slots: [Int32]
    var hashes: [UInt64] = []
    var mask: Int

    /// An empty map sized for about `capacity` keys.
    public init(capacity: Int = 16) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = [Int32](repeating: -1, count: size)
        mask = size - 1
        offsets.reserveCapacity(capacity + 1)
        hashes.reserveCapacity(capacity)
    }

    /// A map whose index `i` is `keys[i]`.
    /// - Throws: `DataError.badFormat` when a key repeats.
    public init(keys: [String]) throws {
        self.init(capacity: keys.count)
        for key in keys {
            let before = count
            let index = insert(key)
            if index != Int32(before) { throw DataError.badFormat(path: "<id map>", reason: "duplicate key '\(key)'") }
        }
    }

    public static func == (lhs: IdMap, rhs: IdMap) -> Bool {
        lhs.arena == rhs.arena && lhs.offsets == rhs.offsets
    }

    /// The number of keys.
    public var count: Int { offsets.count - 1 }

    @inline(__always)
    static func hash(_ key: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key {
            h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        }
        return h ^ (h >> 29)
    }

    @inline(__always)
    func equals(_ index: Int, _ key: UnsafeBufferPointer<UInt8>) -> Bool {
        let start = offsets[index], end = offsets[index + 1]
        guard end - start == key.count else { return false }
        if key.isEmpty { return true }
        return arena.withUnsafeBufferPointer { a in
            memcmp(a.baseAddress! + start, key.baseAddress!, key.count) == 0
        }
    }

    /// The index of `key`, inserting it with the next index when new.
    @inline(__always)
    public mutating func insert(_ key: UnsafeBufferPointer<UInt8>) -> Int32 {
        let h = IdMap.hash(key)
        var slot = Int(truncatingIfNeeded: h) & mask
        while true {
            let index = slots[slot]
            if index < 0 { break }
            if hashes[Int(index)] == h && equals(Int(index), key) { return index }
            slot = (slot + 1) & mask
        }
        let index = Int32(count)
        arena.append(contentsOf: key)
        offsets.append(arena.count)
        hashes.append(h)
        slots[slot] = index
        if count * 2 > slots.count { grow() }
        return index
    }

    /// The index of `key`, inserting it when new.
    @discardableResult
    public mutating func insert(_ key: String) -> Int32 {
        var key = key
        return key.withUTF8 { insert($0) }
    }

    /// The index of `key`, or `nil`.
    public func index(of key: UnsafeBufferPointer<UInt8>) -> Int32? {
        let h = IdMap.hash(key)
        var slot = Int(truncatingIfNeeded: h) & mask
        while true {
            let index = slots[slot]
            if index < 0 { return nil }
            if hashes[Int(index)] == h && equals(Int(index), key) { return index }
            slot = (slot + 1) & mask
        }
    }

    /// The index of `key`, or `nil`.
    public func index(of key: String) -> Int32? {
        var key = key
        return key.withUTF8 { index(of: $0) }
    }

    /// The key of `index` (which must be in `0 ..< count`).
    public func key(_ index: Int32) -> String {
        let start = offsets[Int(index)], end = offsets[Int(index) + 1]
        return arena.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[start ..< end]), as: UTF8.self) }
    }

    /// Calls `body` with the bytes of the key of `index`.
    @inline(__always)
    public func withKey<R>(_ index: Int32, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        let start = offsets[Int(index)], end = offsets[Int(index) + 1]
        return try arena.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[start ..< end])) }
    }

    /// Every key in index order.
    public var keys: [String] { (0 ..< Int32(count)).map(key) }

    mutating func grow() {
        let size = slots.count * 2
        var newSlots = [Int32](repeating: -1, count: size)
        let newMask = size - 1
        for index in 0 ..< count {
            var slot = Int(truncatingIfNeeded: hashes[index]) & newMask
            while newSlots[slot] >= 0 { slot = (slot + 1) & newMask }
            newSlots[slot] = Int32(index)
        }
        slots = newSlots
        mask = newMask
    }

    // MARK: Persistence

    struct Stored: Codable {
        var format: String
        var version: Int
        var name: String
        var keys: [String]
    }

    /// Writes the map as versioned JSON, atomically.
    public func save(to path: String, name: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(Stored(format: "pixelrec-idmap", version: IdMap.formatVersion, name: name, keys: keys))
        do { try AtomicFile.write(data, to: path) } catch { throw DataError.io(path: path, reason: "\(error)") }
    }

    /// Reads a map written by `save(to:name:)`.
    /// - Throws: `DataError.badFormat` for another format or version, or a repeated key.
    public static func load(from path: String) throws -> IdMap {
        guard let data = FileManager.default.contents(atPath: path) else { throw DataError.io(path: path, reason: "cannot read") }
        let stored: Stored
        do { stored = try JSONDecoder().decode(Stored.self, from: data) } catch {
            throw DataError.badFormat(path: path, reason: "not a pixelrec id map")
        }
        guard stored.format == "pixelrec-idmap" else { throw DataError.badFormat(path: path, reason: "format '\(stored.format)' is not pixelrec-idmap") }
        guard stored.version == formatVersion else {
            throw DataError.badFormat(path: path, reason: "id map version \(stored.version), expected \(formatVersion)")
        }
        do { return try IdMap(keys: stored.keys) } catch DataError.badFormat(_, let reason) {
            throw DataError.badFormat(path: path, reason: reason)
        }
    }
}
