import Foundation
import PixelCore

/// A dense string ↔ index map: the `i`-th distinct key gets index `i` (`Int32`, first-seen order).
///
/// Keys live in one contiguous byte arena and are found through an open-addressing table with linear
/// probing (load ≤ 0.5). A slot holds 16 bytes: keys of ≤ 8 bytes are stored packed in the slot itself
/// (so a lookup of a typical id like `u12345` touches one cache line), longer keys store a 64-bit hash
/// and are confirmed with `memcmp` against the arena. Inserting a field's bytes allocates nothing per key
/// beyond amortised arena growth.
///
/// Persisted as JSON: `{"format": "pixelrec-idmap", "version": 1, "name": "...", "keys": ["u1", ...]}`
/// where `keys[i]` is the key of index `i`.
public struct IdMap: Sendable, Equatable {
    /// The format version written by `save(to:)` and required by `load(from:)`.
    public static let formatVersion = 1

    struct Slot {
        /// The packed key (≤ 8 bytes) or the key's hash.
        var word: UInt64
        /// Key index, −1 when empty.
        var index: Int32
        var length: Int32
    }

    var arena: [UInt8] = []
    var offsets: [Int] = [0]
    var slots: [Slot]
    var mask: Int

    /// An empty map sized for about `capacity` keys.
    public init(capacity: Int = 16) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = [Slot](repeating: Slot(word: 0, index: -1, length: 0), count: size)
        mask = size - 1
        offsets.reserveCapacity(capacity + 1)
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

    /// The slot word of a key: its bytes packed little-endian when ≤ 8, otherwise FNV-1a 64.
    @inline(__always)
    static func word(_ key: UnsafeBufferPointer<UInt8>) -> UInt64 {
        let n = key.count
        if n <= 8 {
            guard n > 0, let base = key.baseAddress else { return 0 }
            var packed: UInt64 = 0
            if n == 8 {
                packed = UnsafeRawPointer(base).loadUnaligned(as: UInt64.self)
            } else {
                for k in 0..<n { packed |= UInt64(base[k]) << (8 * UInt64(k)) }
            }
            return packed
        }
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key { h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return h
    }

    /// The probe start of a slot word (a multiplicative mix, so packed keys spread well).
    @inline(__always)
    static func mix(_ word: UInt64, _ length: Int) -> Int {
        var x = (word ^ UInt64(length)) &* 0x9E37_79B9_7F4A_7C15
        x ^= x >> 32
        return Int(truncatingIfNeeded: x)
    }

    @inline(__always)
    func matches(_ slot: Slot, _ word: UInt64, _ key: UnsafeBufferPointer<UInt8>) -> Bool {
        guard slot.word == word, Int(slot.length) == key.count else { return false }
        if key.count <= 8 { return true }
        let start = offsets[Int(slot.index)]
        return arena.withUnsafeBufferPointer { a in memcmp(a.baseAddress! + start, key.baseAddress!, key.count) == 0 }
    }

    /// The index of `key`, inserting it with the next index when new.
    @inline(__always)
    public mutating func insert(_ key: UnsafeBufferPointer<UInt8>) -> Int32 {
        let word = IdMap.word(key)
        var position = IdMap.mix(word, key.count) & mask
        let found: Int32? = slots.withUnsafeBufferPointer { slots in
            while true {
                let slot = slots[position]
                if slot.index < 0 { return nil }
                if matches(slot, word, key) { return slot.index }
                position = (position + 1) & mask
            }
        }
        if let found { return found }
        let index = Int32(count)
        arena.append(contentsOf: key)
        offsets.append(arena.count)
        slots[position] = Slot(word: word, index: index, length: Int32(key.count))
        if count * 2 > slots.count { grow() }
        return index
    }

    /// Inserts a batch of keys (`keys[ends[k-1] ..< ends[k]]`, `ends[-1] = 0`) and appends their
    /// indices to `indices`, in order.
    ///
    /// Same result as calling `insert` per key; first touching every key's home slot lets the processor
    /// overlap the cache misses of a large table instead of taking them one at a time.
    public mutating func insertBatch(
        keys: UnsafeBufferPointer<UInt8>, ends: UnsafeBufferPointer<Int>, into indices: inout [Int32]
    ) {
        var touched: Int32 = 0
        slots.withUnsafeBufferPointer { slots in
            var start = 0
            for end in ends {
                let key = UnsafeBufferPointer(rebasing: keys[start..<end])
                touched &+= slots[IdMap.mix(IdMap.word(key), key.count) & mask].length
                start = end
            }
        }
        var start = 0
        for end in ends {
            indices.append(insert(UnsafeBufferPointer(rebasing: keys[start..<end])))
            start = end
        }
        // Keeps the touching loop from being optimised away; never true for real tables.
        if touched == Int32.min { indices.reserveCapacity(indices.count + 1) }
    }

    /// The index of `key`, inserting it when new.
    @discardableResult
    public mutating func insert(_ key: String) -> Int32 {
        var key = key
        return key.withUTF8 { insert($0) }
    }

    /// The index of `key`, or `nil`.
    public func index(of key: UnsafeBufferPointer<UInt8>) -> Int32? {
        let word = IdMap.word(key)
        var position = IdMap.mix(word, key.count) & mask
        while true {
            let slot = slots[position]
            if slot.index < 0 { return nil }
            if matches(slot, word, key) { return slot.index }
            position = (position + 1) & mask
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
        return arena.withUnsafeBufferPointer {
            String(decoding: UnsafeBufferPointer(rebasing: $0[start..<end]), as: UTF8.self)
        }
    }

    /// Calls `body` with the bytes of the key of `index`.
    @inline(__always)
    public func withKey<R>(_ index: Int32, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        let start = offsets[Int(index)], end = offsets[Int(index) + 1]
        return try arena.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[start..<end])) }
    }

    /// Every key in index order.
    public var keys: [String] { (0..<Int32(count)).map(key) }

    mutating func grow() {
        let size = slots.count * 2
        var newSlots = [Slot](repeating: Slot(word: 0, index: -1, length: 0), count: size)
        let newMask = size - 1
        for slot in slots where slot.index >= 0 {
            var position = IdMap.mix(slot.word, Int(slot.length)) & newMask
            while newSlots[position].index >= 0 { position = (position + 1) & newMask }
            newSlots[position] = slot
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
        let data = try encoder.encode(
            Stored(format: "pixelrec-idmap", version: IdMap.formatVersion, name: name, keys: keys))
        try AtomicFile.write(data, to: path)
    }

    /// Reads a map written by `save(to:name:)`.
    /// - Throws: `DataError.badFormat` for another format or version, or a repeated key.
    public static func load(from path: String) throws -> IdMap {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw DataError.io(path: path, reason: IOFailure.reason(error))
        }
        let stored: Stored
        do { stored = try JSONDecoder().decode(Stored.self, from: data) } catch {
            throw DataError.badFormat(path: path, reason: "not a pixelrec id map")
        }
        guard stored.format == "pixelrec-idmap" else {
            throw DataError.badFormat(path: path, reason: "format '\(stored.format)' is not pixelrec-idmap")
        }
        guard stored.version == formatVersion else {
            throw DataError.badFormat(path: path, reason: "id map version \(stored.version), expected \(formatVersion)")
        }
        do { return try IdMap(keys: stored.keys) } catch DataError.badFormat(_, let reason) {
            throw DataError.badFormat(path: path, reason: reason)
        }
    }
}
