import Foundation
import Testing

@testable import PixelData

@Suite("IdMap")
struct IdMapTests {
    @Test func denseFirstSeenIndices() {
        var map = IdMap()
        #expect(map.insert("b") == 0)
        #expect(map.insert("a") == 1)
        #expect(map.insert("b") == 0)
        #expect(map.insert("") == 2)
        #expect(map.count == 3)
        #expect(map.keys == ["b", "a", ""])
        #expect(map.index(of: "a") == 1)
        #expect(map.index(of: "zz") == nil)
    }

    @Test func growsPastManyKeys() {
        var map = IdMap(capacity: 2)
        for k in 0..<50_000 { #expect(map.insert("k\(k)") == Int32(k)) }
        for k in stride(from: 0, to: 50_000, by: 997) { #expect(map.index(of: "k\(k)") == Int32(k)) }
        #expect(map.count == 50_000)
    }

    @Test func persistsAndRejectsOtherVersions() throws {
        let map = try IdMap(keys: ["u1", "u2", "ü"])
        let path = temporaryDirectory() + "/users.json"
        try map.save(to: path, name: "user_id")
        #expect(try IdMap.load(from: path) == map)
        let text = try String(contentsOfFile: path, encoding: .utf8).replacingOccurrences(
            of: "\"version\":1", with: "\"version\":9")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: DataError.badFormat(path: path, reason: "id map version 9, expected 1")) {
            try IdMap.load(from: path)
        }
    }

    @Test func duplicateKeysAreRejected() {
        #expect(throws: DataError.self) { try IdMap(keys: ["a", "a"]) }
    }
}
