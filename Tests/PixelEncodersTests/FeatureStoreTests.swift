import Foundation
import PixelImage
import Testing

@testable import PixelEncoders

@Suite("Feature store")
struct FeatureStoreTests {
    let identity = EncoderIdentity(name: "builtin", modality: .text, dimension: 3, modelHash: "h1")

    @Test("Write → read round trip: header, rows, flags, ids (incl. non-ASCII), mapped rows")
    func roundTrip() throws {
        let folder = try SharedFixtures.temporaryDirectory("store")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("text.pxfs").path
        let ids = ["i1", "ïtem-2", "i3"]
        let rows: [Float] = [1, 2, 3, 0, 0, 0, -1.5, 0.25, 1e-8]
        try FeatureStore.write(identity: identity, ids: ids, rows: rows, missing: [false, true, false], to: path)
        let store = try FeatureStore(contentsOf: path)
        #expect(store.identity == identity)
        #expect(store.ids == ids && store.count == 3)
        #expect(store.isMissing(1) && !store.isMissing(0))
        #expect(store.vector(for: "i3") == [-1.5, 0.25, 1e-8])
        #expect(store.vector(for: "nope") == nil)
        #expect(store.withRows { Array($0) } == rows)
        let (matrix, present) = store.matrix(for: ["i3", "ïtem-2", "x"])
        #expect(matrix == [-1.5, 0.25, 1e-8, 0, 0, 0, 0, 0, 0] && present == [true, false, false])
        // Header fields at their documented offsets.
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(Array(bytes[0..<8]) == Array("PXFSTORE".utf8))
        #expect(bytes[8] == 1 && bytes[12] == 3 && bytes[16] == 3 && bytes[24] == 1)
        #expect(Int(bytes[32]) | Int(bytes[33]) << 8 == 128 || Int(bytes[32]) | Int(bytes[33]) << 8 == 64)
    }

    @Test("Corrupt files are invalid with a reason: magic, truncation, trailing bytes, version")
    func invalid() throws {
        let folder = try SharedFixtures.temporaryDirectory("bad")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("s.pxfs").path
        try FeatureStore.write(
            identity: identity, ids: ["a", "b"], rows: [Float](repeating: 1, count: 6), missing: [false, false],
            to: path)
        let good = try Data(contentsOf: URL(fileURLWithPath: path))
        let cases: [(String, Data)] = [
            ("magic", Data("NOTSTORE".utf8) + good.dropFirst(8)),
            ("truncated", good.prefix(good.count - 3)),
            ("trailing", good + Data([0])),
            (
                "version",
                {
                    var d = good; d[8] = 9; return d
                }()
            ),
            ("empty", Data()),
        ]
        for (name, bytes) in cases {
            try bytes.write(to: URL(fileURLWithPath: path))
            #expect(throws: EncoderError.self, "\(name)") { try FeatureStore(contentsOf: path) }
        }
        #expect(throws: EncoderError.missingFile(path: path + "x", what: "feature store")) {
            try FeatureStore(contentsOf: path + "x")
        }
    }

    @Test("Builder: first run encodes all, second reuses, new items only, stale hash and invalid file rebuild")
    func incremental() throws {
        let folder = try SharedFixtures.temporaryDirectory("builder")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("text.pxfs").path
        var calls: [[Int]] = []
        func encode(_ ids: [String]) -> ([Int]) -> FeatureStoreBuilder.Encoded {
            { indices in
                calls.append(indices)
                return FeatureStoreBuilder.Encoded(rows: indices.flatMap { i in [Float(i), Float(ids[i].count), 1] })
            }
        }
        let ids = ["a", "bb", "ccc"]
        let first = try FeatureStoreBuilder.update(
            path: path, identity: identity, ids: ids, hasInput: [true, false, true], encode: encode(ids))
        #expect(first.encoded == 2 && first.reused == 0 && first.missing == 1 && first.rebuildReason == nil)
        #expect(calls == [[0, 2]])
        let second = try FeatureStoreBuilder.update(
            path: path, identity: identity, ids: ids, hasInput: [true, false, true], encode: encode(ids))
        #expect(second.encoded == 0 && second.reused == 2 && calls.count == 1)
        // A new item and a previously missing one that now has text.
        let more = ids + ["dddd"]
        let third = try FeatureStoreBuilder.update(
            path: path, identity: identity, ids: more, hasInput: [true, true, true, true], encode: encode(more))
        #expect(third.encoded == 2 && third.reused == 2 && calls.last == [1, 3])
        let store = try FeatureStore(contentsOf: path)
        #expect(store.vector(for: "dddd") == [3, 4, 1] && store.vector(for: "a") == [0, 1, 1])
        // Model hash changed: stale, everything re-encoded.
        var changed = identity
        changed.modelHash = "h2"
        let fourth = try FeatureStoreBuilder.update(
            path: path, identity: changed, ids: more, hasInput: [true, true, true, true], encode: encode(more))
        #expect(fourth.encoded == 4 && fourth.rebuildReason?.hasPrefix("stale") == true)
        // Garbage file: invalid, rebuilt.
        try Data("garbage".utf8).write(to: URL(fileURLWithPath: path))
        let fifth = try FeatureStoreBuilder.update(
            path: path, identity: changed, ids: more, hasInput: [true, true, true, true], encode: encode(more))
        #expect(fifth.encoded == 4 && fifth.rebuildReason?.hasPrefix("invalid") == true)
        #expect(try FeatureStore(contentsOf: path).identity == changed)
        // Failed encodes are stored as missing and reported.
        let sixth = try FeatureStoreBuilder.update(
            path: path, identity: identity, ids: ["x", "y"], hasInput: [true, true]
        ) { indices in
            FeatureStoreBuilder.Encoded(rows: [Float](repeating: 1, count: 3 * indices.count), failed: [1: "corrupt"])
        }
        #expect(sixth.failures == ["y": "corrupt"] && sixth.missing == 1 && sixth.encoded == 1)
    }
}

@Suite("Built-in encoders and registry")
struct BuiltinEncoderTests {
    @Test("Registry knows every family; unknown names and wrong modalities fail with a message")
    func registry() throws {
        let names = EncoderRegistry.shared.names
        for name in ["builtin", "clip", "dino", "resnet", "convnext", "sentence-bert", "mpnet", "bert", "roberta"] {
            #expect(names.contains(name), "\(name)")
        }
        #expect(throws: EncoderError.self) { try EncoderRegistry.shared.imageEncoder(named: "nope") }
        #expect(throws: EncoderError.unsupportedModality(encoder: "bert", modality: "images")) {
            try EncoderRegistry.shared.imageEncoder(named: "bert")
        }
        let registry = EncoderRegistry()
        registry.register(
            EncoderEntry(name: "mine", summary: "test", text: { _ in HashedTFIDFEncoder(name: "mine", dimension: 16) }))
        #expect(try registry.textEncoder(named: "mine").identity.dimension == 16)
    }

    @Test("Hashed TF-IDF: unit norm, deterministic, similar texts closer, IDF fit changes the hash")
    func tfidf() throws {
        let encoder = try EncoderRegistry.shared.textEncoder(named: "builtin")
        let texts = [
            "A red cotton summer dress", "red cotton dress for summer", "wireless noise cancelling headphones", "",
        ]
        let rows = try encoder.encode(texts)
        let d = encoder.identity.dimension
        func row(_ i: Int) -> ArraySlice<Float> { rows[(i * d)..<((i + 1) * d)] }
        func dot(_ a: Int, _ b: Int) -> Float { zip(row(a), row(b)).map { $0 * $1 }.reduce(0, +) }
        #expect(abs(dot(0, 0) - 1) < 1e-5)
        #expect(dot(0, 1) > 0.4 && abs(dot(0, 2)) < 0.2)
        #expect(row(3).allSatisfy { $0 == 0 })
        #expect(try encoder.encode(texts) == rows)
        let fitted = encoder.adapted(to: texts)
        #expect(fitted.identity.modelHash != encoder.identity.modelHash)
        #expect(encoder.adapted(to: texts).identity == fitted.identity)
    }

    @Test("Histogram image encoder: unit norm, colour changes move the vector, same image same vector")
    func histogram() throws {
        let encoder = try EncoderRegistry.shared.imageEncoder(named: "builtin")
        let red = Image(width: 100, height: 80, fill: (220, 20, 20))
        let darkRed = Image(width: 90, height: 120, fill: (180, 30, 30))
        let blue = Image(width: 100, height: 80, fill: (20, 20, 220))
        let a = encoder.prepare(red), b = encoder.prepare(darkRed), c = encoder.prepare(blue)
        func dot(_ x: [Float], _ y: [Float]) -> Float { zip(x, y).map { $0 * $1 }.reduce(0, +) }
        #expect(a.count == 192 && abs(dot(a, a) - 1) < 1e-5)
        #expect(dot(a, b) > dot(a, c))
        #expect(encoder.prepare(red) == a)
        #expect(try encoder.encode(prepared: a + c, count: 2) == a + c)
    }

    @Test("ItemEncoder: images in parallel batches, unreadable files reported, order kept")
    func pipeline() throws {
        let folder = try SharedFixtures.temporaryDirectory("pipe")
        defer { try? FileManager.default.removeItem(at: folder) }
        var paths: [String] = []
        for k in 0..<7 {
            let path = folder.appendingPathComponent("\(k).png").path
            let image = Image(width: 20 + k, height: 30, fill: (UInt8(30 * k), 100, 200))
            try ImageCodec.encodePNG(image).write(to: URL(fileURLWithPath: path))
            paths.append(path)
        }
        try Data("not an image".utf8).write(to: URL(fileURLWithPath: paths[3]))
        let encoder = HistogramImageEncoder()
        let result = try ItemEncoder(batchSize: 3, threads: 2, progressStyle: .quiet).encodeImages(
            paths: paths, with: encoder)
        #expect(Set(result.failed.keys) == [3])
        let expected = encoder.prepare(try ImageCodec.decode(contentsOf: paths[5]))
        #expect(Array(result.rows[(5 * 192)..<(6 * 192)]) == expected)
        let texts = (0..<9).map { "item \($0) " + String(repeating: "word ", count: $0) }
        let textRows = try ItemEncoder(batchSize: 2, progressStyle: .quiet).encodeTexts(
            texts, with: HashedTFIDFEncoder())
        #expect(textRows.rows == (try HashedTFIDFEncoder().encode(texts)))
    }
}
