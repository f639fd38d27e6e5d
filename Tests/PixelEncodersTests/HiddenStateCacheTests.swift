import Foundation
import PixelEncoders
import PixelONNX
import PixelTensor
import Testing

/// The hidden-state cache below a trainable text top (issue 14): the file format round trip, rejection of
/// broken files with one typed line, and the cached states through the imported top against the frozen
/// encoder's feature-store vectors.
@Suite("Trainable encoder tops: hidden-state cache")
struct HiddenStateCacheTests {
    static let identity = HiddenStateCache.Identity(encoder: "test", modelHash: "onnx-1234", cut: "/layer.0/out")

    static func temporaryPath(_ name: String) throws -> String {
        let directory = NSTemporaryDirectory() + "pixelrec-hsc-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return directory + "/" + name
    }

    /// Three items, `E` = 5, lengths 3, 0 (no text), 1: states `sin(row·31 + k)·40` (fp16 range, mixed signs).
    static func writeSample(to path: String) throws -> (states: [Int: [Float]], lengths: [Int]) {
        let lengths = [3, 0, 1], e = 5
        var states: [Int: [Float]] = [:]
        for row in lengths.indices where lengths[row] > 0 {
            states[row] = (0..<(lengths[row] * e)).map { Float(sin(Double(row * 31 + $0))) * 40 }
        }
        try HiddenStateCache.write(
            identity: identity, width: e, length: 3, ids: ["a", "b", "c"], lengths: lengths, to: path
        ) { put in
            for row in [2, 0] { try states[row]!.withUnsafeBufferPointer { try put(row, $0) } }
        }
        return (states, lengths)
    }

    @Test("round trip: ids, lengths, identity and the fp16-rounded states come back; a batch pads to its longest")
    func roundTrip() throws {
        let path = try Self.temporaryPath("t.pxhs")
        let (states, lengths) = try Self.writeSample(to: path)
        let cache = try HiddenStateCache(contentsOf: path)
        #expect(cache.identity == Self.identity && cache.ids == ["a", "b", "c"] && cache.lengths == lengths)
        #expect(cache.width == 5 && cache.length == 3 && cache.count == 3)
        // 72-byte header + names padded to 128, 3 × 2·3·5 state bytes, 3 lengths, ids.
        let size = try #require(FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber).intValue
        #expect(size == 128 + 3 * 30 + 12 + 3 * 5)
        let (batch, mask, l) = try cache.batch([2, 0, 1])
        #expect(l == 3 && mask == [1, 0, 0, 1, 1, 1, 0, 0, 0])
        // Stored values are exactly Float(Float16(x)): relative error ≤ 2⁻¹¹ against the Float32 input.
        let expected =
            states[2]! + [Float](repeating: 0, count: 10) + states[0]!.map { Float(Float16($0)) }
            + [Float](repeating: 0, count: 15)
        let rounded = states[2]!.map { Float(Float16($0)) } + [Float](repeating: 0, count: 10)
        #expect(Array(batch[0..<15]) == rounded)
        #expect(Array(batch[15...]) == Array(expected[15...]))
        let worst = zip(batch, expected).map { abs($0 - $1) / max(abs($1), 1e-6) }.max() ?? 0
        #expect(worst <= 1.0 / 2048)
        // A batch of the length-1 item alone is [1, 1, E].
        let single = try cache.batch([2])
        #expect(single.length == 1 && single.states == rounded.prefix(5).map { $0 } && single.mask == [1])
    }

    /// Little-endian `value` written over `width` bytes at `offset`.
    static func patch(_ bytes: inout [UInt8], _ offset: Int, _ width: Int, _ value: UInt64) {
        for k in 0..<width { bytes[offset + k] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(k))) }
    }

    @Test(
        "a broken file is rejected with one typed line naming the path and the field",
        arguments: [
            // (field, offset, width, value): little-endian `value` over `width` bytes at `offset`; offset -1
            // cuts the last 3 bytes. Sample layout: states at 128 (3 × 30 bytes), lengths at 218, ids at 230.
            ("magic", 0, 1, UInt64(UInt8(ascii: "Q"))),
            ("file length", -1, 0, 0),
            ("width", 12, 4, 0),
            ("length", 16, 4, 1 << 20),
            ("item count", 24, 8, UInt64.max),
            ("item count", 24, 8, 20),
            ("states offset", 40, 8, 100),
            ("lengths offset", 48, 8, 12),
            ("lengths[1]", 222, 4, 4),
            ("ids[0]", 230, 4, 1 << 30),
        ] as [(String, Int, Int, UInt64)])
    func corrupt(field: String, offset: Int, width: Int, value: UInt64) throws {
        let path = try Self.temporaryPath("c.pxhs")
        _ = try Self.writeSample(to: path)
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        if offset < 0 { bytes.removeLast(3) } else { Self.patch(&bytes, offset, width, value) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect {
            _ = try HiddenStateCache(contentsOf: path)
        } throws: { error in
            guard case let .corruptStore(p, f, _)? = error as? EncoderError else { return false }
            let line = "\(error)"
            print(line)
            return p == path && f == field && !line.contains("\n") && line.hasPrefix(path + ": " + field + ": ")
        }
    }

    @Test("a non-finite fp16 state is caught when the item is read, naming the item")
    func nonFiniteState() throws {
        let path = try Self.temporaryPath("n.pxhs")
        _ = try Self.writeSample(to: path)
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        Self.patch(&bytes, 128 + 2 * 30 + 2, 2, 0x7E00)  // item c (row 2), second value: NaN
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let cache = try HiddenStateCache(contentsOf: path)
        _ = try cache.batch([0, 1])
        try cache.checkFinite(rows: [0, 1])
        #expect(throws: EncoderError.self) { try cache.checkFinite(rows: [1, 2]) }
        #expect(
            throws: EncoderError.corruptStore(
                path: path, field: "states['c']", reason: "holds a value that is not finite")
        ) {
            _ = try cache.batch([2])
        }
        // Writing a value outside the fp16 range is refused.
        #expect(throws: EncoderError.self) {
            try HiddenStateCache.write(identity: Self.identity, width: 1, length: 1, ids: ["x"], lengths: [1], to: path)
            {
                put in try [Float(1e6)].withUnsafeBufferPointer { try put(0, $0) }
            }
        }
    }

    /// all-MiniLM-L6-v2: the cache built for N = 1 and 2, read back (fp16) and run through the imported top,
    /// reproduces the text feature store the frozen encoder writes. fp16 keeps 11 significant bits (relative
    /// error ≤ 4.9e-4 per state), so the bound is 1e-3 max abs on the L2-normalized vectors; measured values
    /// are printed.
    @Test("real MiniLM-L6: cached states → imported top (N = 1, 2) ≈ the frozen encoder's text.pxfs rows (≤ 1e-3)")
    func miniLMReproducesFeatureStore() throws {
        guard let dir = SharedFixtures.model("real/minilm-l6-v2") else {
            print(SharedFixtures.skipMessage("real/minilm-l6-v2"))
            return
        }
        let encoder = try #require(
            try EncoderRegistry.shared.textEncoder(
                named: "sentence-bert", options: EncoderOptions(modelDirectory: dir.path)) as? ONNXTextEncoder)
        let ids = ["m1", "m2", "m3", "m4", "m5", "m6"]
        let texts = [
            "A quiet documentary about lighthouse keepers on the Scottish coast.",
            "Space opera!",
            "",
            "The detective returns to the city where, twenty years ago, her partner vanished without a trace.",
            "cheap wireless earbuds with noise cancelling",
            "Toy Story (1995). Animation|Children's|Comedy",
        ]
        let directory = try Self.temporaryPath("store")
        let storePath = directory + "/text.pxfs"
        _ = try FeatureStoreBuilder.update(
            path: storePath, identity: encoder.identity, ids: ids, hasInput: texts.map { !$0.isEmpty }
        ) { indices in try ItemEncoder(batchSize: 4).encodeTexts(indices.map { texts[$0] }, with: encoder) }
        let store = try FeatureStore(contentsOf: storePath)
        for layers in [1, 2] {
            let path = directory + "/text_top_\(layers).pxhs"
            let report = try HiddenStateCacheBuilder.update(
                path: path, encoder: encoder, layers: layers, ids: ids, texts: texts, batchSize: 4)
            #expect(report.encoded == 5 && report.missing == 1 && report.width == 384)
            let cache = try HiddenStateCache(contentsOf: path)
            #expect(cache.lengths[2] == 0 && cache.length == cache.lengths.max())
            // Bytes per item as documented: 2·T·E + 4 (length) + 4 + 2 (id), after the padded header.
            let names = [cache.identity.encoder, cache.identity.modelHash, cache.identity.cut].map(\.utf8.count)
            let header = (72 + names.reduce(0, +) + 63) / 64 * 64
            #expect(report.bytes == header + 6 * (2 * cache.length * 384 + 4 + 4 + 2))
            let top = try HiddenStateCacheBuilder.top(of: encoder, layers: layers)
            #expect(cache.identity.cut == top.cut)
            let rows = [0, 1, 3, 4, 5]
            let (states, mask, l) = try cache.batch(rows)
            let pooled = try Autograd.withoutRecording {
                let hidden = try top(Tensor(shape: [rows.count, l, 384], scalars: states), attentionMask: mask)
                return try top.pool(hidden, attentionMask: mask)
            }
            var maxAbs: Float = 0
            for (b, row) in rows.enumerated() {
                let reference = try #require(store.vector(for: ids[row]))
                for k in 0..<384 { maxAbs = max(maxAbs, abs(pooled.scalars[b * 384 + k] - reference[k])) }
            }
            print(
                "MiniLM-L6 top \(layers): fp16 cache [\(cache.length), 384] (\(report.bytes) bytes for 6 items), "
                    + "probe (Float32) \(report.probeError ?? -1), cached → top vs text.pxfs max abs \(maxAbs)")
            #expect(maxAbs <= 1e-3)
            #expect((report.probeError ?? 1) <= 1e-4)
            // Unchanged items and encoder: the second update reuses the file.
            let again = try HiddenStateCacheBuilder.update(
                path: path, encoder: encoder, layers: layers, ids: ids, texts: texts, batchSize: 4)
            #expect(again.encoded == 0 && again.rebuildReason == nil)
        }
    }
}

/// ``CachedTextStates``: the text rows a trainable item tower reads.
@Suite("Trainable encoder tops: cached text rows")
struct CachedTextStatesTests {
    /// tiny BERT (2 blocks), top 1: the interpreter's states at the cut for the reference batch of 4 go through
    /// the cache (fp16) and the top; a fifth item has no text.
    @Test(
        "tiny BERT: cached rows ≈ onnxruntime's sentence_embedding (fp16, ≤ 1e-3); a textless item is a zero row with no gradient"
    )
    func tinyBert() throws {
        guard let dir = SharedFixtures.model("tiny/bert") else {
            print(SharedFixtures.skipMessage("tiny/bert"))
            return
        }
        let path = dir.appendingPathComponent("tiny-bert.onnx").path
        let top = try TrainableEncoderTop(
            graph: try ONNXGraph(contentsOf: path), count: 1, pooling: .maskedMean, normalize: true)
        let batch = try TrainableEncoderTopTests.npyBatch(dir, prefix: "batch4")
        let cut = try #require(
            try top.lowerModel(path: path).run(
                TrainableEncoderTopTests.feeds(batch, model: ONNXModel(contentsOf: path)))[top.cut])
        let (n, s, e) = (batch.count, batch.length, top.width)
        let states = cut.floats
        let cachePath = try HiddenStateCacheTests.temporaryPath("tiny.pxhs")
        let lengths = batch.lengths + [0]
        try HiddenStateCache.write(
            identity: HiddenStateCache.Identity(encoder: "tiny", modelHash: "h", cut: top.cut), width: e,
            length: lengths.max()!, ids: ["a", "b", "c", "d", "none"], lengths: lengths, to: cachePath
        ) { put in
            for i in 0..<n {
                try states.withUnsafeBufferPointer {
                    try put(i, UnsafeBufferPointer(rebasing: $0[(i * s * e)..<(i * s * e + lengths[i] * e)]))
                }
            }
        }
        // The caller's item order differs from the cache's.
        let text = try CachedTextStates(
            cache: try HiddenStateCache(contentsOf: cachePath), itemIDs: ["none", "d", "c", "b", "a"], cut: top.cut,
            width: e)
        let reference = try NpyArray(contentsOf: dir.appendingPathComponent("batch4_output_sentence_embedding.npy"))
            .floats
        let all = text.allRows(top: top, batchSize: 2)
        #expect(all[0..<e].allSatisfy { $0 == 0 })
        var maxAbs: Float = 0
        for item in 1...4 {
            let i = 4 - item  // cache row of the caller's item
            for k in 0..<e { maxAbs = max(maxAbs, abs(all[item * e + k] - reference[i * e + k])) }
        }
        print("tiny BERT top 1 from the fp16 cache vs onnxruntime sentence_embedding: max abs \(maxAbs)")
        #expect(maxAbs <= 1e-3)
        // The textless item adds nothing to the gradient: Σ R ⊙ rows over [none, d, c] equals it over [d, c].
        var generator = RandomGenerator(seed: 3)
        let weights = Tensor.randomNormal(shape: [3, e], generator: &generator).scalars
        let with = (text.textRows([0, 1, 2], top: top) * Tensor(shape: [3, e], scalars: weights)).sum().gradients()
        let without = (text.textRows([1, 2], top: top) * Tensor(shape: [2, e], scalars: Array(weights[e...]))).sum()
            .gradients()
        var worst: Float = 0
        for p in top.parameters {
            let a = try #require(with[p]?.dense.scalars), b = try #require(without[p]?.dense.scalars)
            #expect(b.contains { $0 != 0 })
            worst = max(worst, zip(a, b).map { abs($0 - $1) }.max() ?? 0)
        }
        print("tiny BERT top 1: gradients with and without the textless item differ by at most \(worst)")
        #expect(worst <= 1e-6)
        #expect(throws: EncoderError.self) {
            _ = try CachedTextStates(
                cache: try HiddenStateCache(contentsOf: cachePath), itemIDs: ["a", "zz"], cut: top.cut, width: e)
        }
    }
}
