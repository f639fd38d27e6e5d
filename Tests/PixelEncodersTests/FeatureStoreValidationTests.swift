import Foundation
import Testing

@testable import PixelEncoders

/// Issue 15, class 3: every header field of a `.pxfs` file is checked (overflow-checked arithmetic, sizes
/// against the file) before anything is allocated or indexed; a bad one is one line naming file and field.
@Suite("Feature store header validation")
struct FeatureStoreValidationTests {
    /// 3 items × 3 dimensions; names end at 64 + 3 + 4 = 71, rows at 128, flags at 164, ids at 167, 182 bytes.
    static func validStore() throws -> (path: String, bytes: [UInt8]) {
        let folder = try SharedFixtures.temporaryDirectory("validate")
        let path = folder.appendingPathComponent("s.pxfs").path
        try FeatureStore.write(
            identity: EncoderIdentity(name: "enc", modality: .text, dimension: 3, modelHash: "hash"),
            ids: ["a", "b", "c"],
            rows: (0..<9).map(Float.init), missing: [false, true, false], to: path)
        return (path, [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))))
    }

    static func setting(_ bytes: [UInt8], _ offset: Int, _ width: Int, _ value: UInt64) -> [UInt8] {
        var out = bytes
        for k in 0..<width { out[offset + k] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(k))) }
        return out
    }

    /// (name, edit, expected message after `<path>: `).
    static let cases: [(String, @Sendable ([UInt8]) -> [UInt8], String)] = [
        ("count 2^40", { setting($0, 16, 8, 1 << 40) }, "item count: 1099511627776 items cannot fit in 182 bytes"),
        (
            "count 2^64 - 1", { setting($0, 16, 8, .max) },
            "item count: 18446744073709551615 items cannot fit in 182 bytes"
        ),
        (
            "count 4 (one more)", { setting($0, 16, 8, 4) },
            "flags offset: 164, expected rows offset + 4·count·dimension = 176"
        ),
        ("dimension 0", { setting($0, 12, 4, 0) }, "dimension: 0 is outside 1...1048576"),
        ("dimension 2^32 - 1", { setting($0, 12, 4, 0xFFFF_FFFF) }, "dimension: 4294967295 is outside 1...1048576"),
        (
            "dimension 2^20", { setting($0, 12, 4, 1 << 20) },
            "item count: 3 items × 1048576 floats from byte 128 run past the file's 182 bytes"
        ),
        (
            "rows offset 2^63 - 64", { setting($0, 32, 8, UInt64(Int.max) - 63) },
            "rows offset: 9223372036854775744 is not a multiple of 64 in 71...182 (the names' end to the file's end)"
        ),
        (
            "rows offset inside the names", { setting($0, 32, 8, 64) },
            "rows offset: 64 is not a multiple of 64 in 71...182 (the names' end to the file's end)"
        ),
        (
            "flags offset Int.max", { setting($0, 40, 8, UInt64(Int.max)) },
            "flags offset: 9223372036854775807, expected rows offset + 4·count·dimension = 164"
        ),
        (
            "ids offset 2^64 - 1", { setting($0, 48, 8, .max) },
            "ids offset: 18446744073709551615, expected flags offset + count = 167"
        ),
        (
            "file length 2^40", { setting($0, 56, 8, 1 << 40) },
            "file length: the header says 1099511627776 bytes, the file has 182 (truncated?)"
        ),
        (
            "truncated", { Array($0.prefix(150)) },
            "file length: the header says 182 bytes, the file has 150 (truncated?)"
        ),
        (
            "name length 65535", { setting($0, 26, 2, 0xFFFF) },
            "rows offset: 128 is not a multiple of 64 in 65603...182 (the names' end to the file's end)"
        ),
        ("modality 7", { setting($0, 24, 1, 7) }, "modality: 7 is neither 0 (image) nor 1 (text)"),
        ("reserved byte", { setting($0, 30, 2, 1) }, "reserved: bytes 25 and 30..<32 are not zero"),
        ("a flag byte 0x80", { setting($0, 164, 1, 0x80) }, "flags[0]: 128 has bits other than the missing flag"),
        (
            "id length 2^32 - 1", { setting($0, 167, 4, 0xFFFF_FFFF) },
            "ids[0]: length 4294967295 runs past the end of the file"
        ),
        ("an empty id", { setting($0, 167, 4, 0) }, "ids[0]: empty, not UTF-8 or containing a NUL byte"),
        ("a NUL byte in an id", { setting($0, 171, 1, 0) }, "ids[0]: empty, not UTF-8 or containing a NUL byte"),
        ("a duplicate id", { setting($0, 176, 1, UInt64(UInt8(ascii: "a"))) }, "ids[1]: duplicate item id 'a'"),
        (
            "a control character in a duplicate id",
            {
                setting(setting($0, 171, 1, 0x1B), 176, 1, 0x1B)
            }, "ids[1]: duplicate item id '\\u{1b}'"
        ),
        ("bad magic", { setting($0, 0, 1, 0) }, "magic: not a pixelrec feature store (PXFSTORE)"),
        ("version 2", { setting($0, 8, 4, 2) }, "version: 2, expected 1"),
        ("shorter than the header", { Array($0.prefix(40)) }, "header: 40 bytes, shorter than the 64-byte header"),
    ]

    @Test("the valid store opens")
    func valid() throws {
        let (path, _) = try Self.validStore()
        let store = try FeatureStore(contentsOf: path)
        #expect(store.count == 3 && store.dimension == 3 && store.isMissing(1) && store.vector(for: "c") == [6, 7, 8])
    }

    @Test("a hostile header field: the exact one-line error, the file unchanged", arguments: 0..<cases.count)
    func hostile(_ index: Int) throws {
        let (name, edit, expected) = Self.cases[index]
        let (path, bytes) = try Self.validStore()
        let hostile = Data(edit(bytes))
        try hostile.write(to: URL(fileURLWithPath: path))
        do {
            _ = try FeatureStore(contentsOf: path)
            Issue.record("\(name): opened")
        } catch {
            #expect("\(error)" == "\(path): \(expected)", "\(name)")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == hostile, "\(name): the file changed")
    }
}
