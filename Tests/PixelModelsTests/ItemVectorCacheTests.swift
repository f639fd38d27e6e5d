import Foundation
import Testing

@testable import PixelModels

@Suite("Item-vector cache file")
struct ItemVectorCacheTests {
    static let key = ItemVectorCache.Key(checkpointHash: 0xDEAD_BEEF, inputsHash: 42, count: 3, dimension: 2)
    static let vectors: [Float] = [1, -2, 3.5, 0, -0.25, 7]

    @Test("round trip: header fields little-endian, vectors bit-exact")
    func roundTrip() throws {
        let path = try temporaryDirectory() + "/c/items.pxiv"
        try ItemVectorCache.write(Self.vectors, key: Self.key, to: path)
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(bytes.count == 64 + 4 * 6)
        #expect(Array(bytes[0..<8]) == Array("PXITEMV1".utf8))
        #expect(Array(bytes[8..<16]) == [0xEF, 0xBE, 0xAD, 0xDE, 0, 0, 0, 0])
        #expect(bytes[16] == 42 && bytes[24] == 3 && bytes[32] == 2)
        #expect(ItemVectorCache.load(path: path, key: Self.key) == .hit(Self.vectors))
    }

    @Test("another checkpoint, other inputs or shape, a damaged or foreign file: stale; no file: missing")
    func stale() throws {
        let path = try temporaryDirectory() + "/items.pxiv"
        #expect(ItemVectorCache.load(path: path, key: Self.key) == .missing)
        try ItemVectorCache.write(Self.vectors, key: Self.key, to: path)
        var other = Self.key
        other.checkpointHash += 1
        #expect(ItemVectorCache.load(path: path, key: other) == .stale("written for another checkpoint"))
        other = Self.key
        other.inputsHash += 1
        #expect(ItemVectorCache.load(path: path, key: other) == .stale("written for other items or item features"))
        other = Self.key
        other.count = 2
        #expect(ItemVectorCache.load(path: path, key: other) == .stale("other shape"))
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        try data.prefix(data.count - 4).write(to: URL(fileURLWithPath: path))
        #expect(ItemVectorCache.load(path: path, key: Self.key) == .stale("truncated"))
        try Data(repeating: 7, count: 100).write(to: URL(fileURLWithPath: path))
        #expect(ItemVectorCache.load(path: path, key: Self.key) == .stale("not an item-vector cache"))
    }
}
