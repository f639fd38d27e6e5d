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
        #expect(Array(bytes[0..<8]) == Array("PXITEMV2".utf8))
        // Bytes 40..<48: the payload checksum (checkpoint format 2's) of the vectors.
        let checksum = Self.vectors.withUnsafeBytes { raw in Checkpoint.payloadChecksum(version: 2) { $0(raw) } }
        #expect(Array(bytes[40..<48]) == withUnsafeBytes(of: checksum.littleEndian) { Array($0) })
        #expect(bytes[48..<64].allSatisfy { $0 == 0 })
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
        #expect(
            ItemVectorCache.load(path: path, key: Self.key)
                == .invalid(field: "item count", reason: "3 items × 2 floats need 88 bytes, the file has 84"))
        try Data(repeating: 7, count: 100).write(to: URL(fileURLWithPath: path))
        #expect(
            ItemVectorCache.load(path: path, key: Self.key)
                == .invalid(field: "magic", reason: "not an item-vector cache"))
    }

    /// Issue 15, class 7: overwritten floats, an old version or a hostile header field are invalid (one
    /// field and reason each), never used; nothing is allocated from a field before it is checked.
    @Test(
        "a corrupt payload, version 1 or a hostile header field is invalid, naming the field",
        arguments: [
            ("payload float", 64, 4, UInt64(Float(-4.8e37).bitPattern), "payload checksum", "mismatch (corrupt file)"),
            ("last payload byte", 84, 4, 0, "payload checksum", "mismatch (corrupt file)"),
            ("checksum field", 40, 8, 1, "payload checksum", "mismatch (corrupt file)"),
            ("version 1", 7, 1, UInt64(UInt8(ascii: "1")), "format version", "version 1 has no payload checksum"),
            ("count 2^40", 24, 8, 1 << 40, "item count", "1099511627776 is outside 0...2147483647"),
            ("count 2^64 - 1", 24, 8, .max, "item count", "18446744073709551615 is outside 0...2147483647"),
            (
                "count 2^31 - 1", 24, 8, 0x7FFF_FFFF, "item count",
                "2147483647 items × 2 floats need 17179869240 bytes, the file has 88"
            ),
            ("dimension 0", 32, 8, 0, "dimension", "0 is outside 1...65536"),
            ("dimension 2^40", 32, 8, 1 << 40, "dimension", "1099511627776 is outside 1...65536"),
            ("reserved", 56, 8, 1, "reserved", "bytes 48..<64 are not zero"),
        ] as [(String, Int, Int, UInt64, String, String)])
    func invalid(_ name: String, _ offset: Int, _ width: Int, _ value: UInt64, _ field: String, _ reason: String) throws
    {
        var bytes = [UInt8](ItemVectorCache.encoded(Self.vectors, key: Self.key))
        for k in 0..<width { bytes[offset + k] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(k))) }
        #expect(ItemVectorCache.lookup(Data(bytes), key: Self.key) == .invalid(field: field, reason: reason), "\(name)")
    }
}
