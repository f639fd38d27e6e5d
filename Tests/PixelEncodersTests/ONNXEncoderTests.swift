import Foundation
import PixelImage
import Testing

@testable import PixelEncoders

/// ONNX-backed registry entries against the onnxruntime 1.32 references in `../shared/models`
/// (README there: max abs ≤ 1e-4 on hidden states, cosine ≥ 0.99999 on pooled embeddings).
@Suite("ONNX encoders vs onnxruntime")
struct ONNXEncoderTests {
    static func cosine(_ a: ArraySlice<Float>, _ b: ArraySlice<Float>) -> Double {
        var dot = 0.0, na = 0.0, nb = 0.0
        for (x, y) in zip(a, b) {
            dot += Double(x) * Double(y)
            na += Double(x) * Double(x)
            nb += Double(y) * Double(y)
        }
        return dot / max((na * nb).squareRoot(), 1e-30)
    }

    /// Minimum row cosine and maximum absolute difference of `[n, d]` matrices.
    static func compare(_ ours: [Float], _ reference: [Float], dimension d: Int) -> (minCosine: Double, maxAbs: Float) {
        var minCosine = 1.0, maxAbs: Float = 0
        for start in stride(from: 0, to: reference.count, by: d) {
            minCosine = min(minCosine, cosine(ours[start..<(start + d)], reference[start..<(start + d)]))
        }
        for (a, b) in zip(ours, reference) { maxAbs = max(maxAbs, abs(a - b)) }
        return (minCosine, maxAbs)
    }

    @Test("sentence-bert entry: real all-MiniLM-L6-v2, texts → tokenizer → ONNX → pooled, vs onnxruntime")
    func miniLM() throws {
        guard let dir = SharedFixtures.model("real/minilm-l6-v2"), let check = try TokenizerTests.clipCheck() else {
            print(SharedFixtures.skipMessage("real/minilm-l6-v2"))
            return
        }
        let encoder = try EncoderRegistry.shared.textEncoder(
            named: "sentence-bert", options: EncoderOptions(modelDirectory: dir.path))
        #expect(encoder.identity.dimension == 384)
        let texts = Array(check.prefix(32).map(\.0))
        let ours = try encoder.encode(texts)
        let reference = try NpyArray(contentsOf: dir.appendingPathComponent("batch32_output_sentence_embedding.npy"))
        let (minCosine, maxAbs) = Self.compare(ours, reference.floats, dimension: 384)
        print("MiniLM-L6 sentence embeddings (32 texts): min cosine \(minCosine), max abs diff \(maxAbs)")
        #expect(minCosine >= 0.99999)
        #expect(maxAbs <= 1e-4)
        // The masked-mean path on last_hidden_state (what int8 / optimum exports without a pooled output use).
        let tokenizer = try TextTokenizer.load(directory: dir.path)
        let meanPool = try ONNXTextEncoder(
            name: "sentence-bert", modelPath: dir.appendingPathComponent("all-MiniLM-L6-v2.onnx").path,
            tokenizer: tokenizer,
            outputs: [ModelSpec.Output("last_hidden_state", .maskedMean)], normalize: true)
        let pooled = try meanPool.encode(texts)
        let (poolCosine, poolAbs) = Self.compare(pooled, reference.floats, dimension: 384)
        print("MiniLM-L6 masked mean + L2 of last_hidden_state: min cosine \(poolCosine), max abs diff \(poolAbs)")
        #expect(poolCosine >= 0.99999)
    }

    @Test("efficientnet entry: real EfficientNet-Lite0 features from test_image_224.png and from the reference batch")
    func efficientNet() throws {
        guard let dir = SharedFixtures.model("real/efficientnet-lite0") else {
            print(SharedFixtures.skipMessage("real/efficientnet-lite0"))
            return
        }
        let encoder = try EncoderRegistry.shared.imageEncoder(
            named: "efficientnet", options: EncoderOptions(modelDirectory: dir.path))
        #expect(encoder.identity.dimension == 1280)
        // Full path: PNG → preprocessing (224 already: resize and crop are identity) → model.
        let image = try ImageCodec.decode(contentsOf: dir.appendingPathComponent("test_image_224.png").path)
        let prepared = encoder.prepare(image)
        let pixels = try NpyArray(contentsOf: dir.appendingPathComponent("single_input_pixel_values.npy"))
        let pixelDiff = zip(prepared, pixels.floats).map { abs($0 - $1) }.max() ?? 1
        #expect(pixelDiff <= 1e-6)
        let single = try encoder.encode(prepared: prepared, count: 1)
        let reference = try NpyArray(contentsOf: dir.appendingPathComponent("single_output_features.npy"))
        let (c1, a1) = Self.compare(single, reference.floats, dimension: 1280)
        // The first 4 rows of the 32-image reference batch (rows are independent; 4 keeps debug runs short).
        let batchInput = try NpyArray(contentsOf: dir.appendingPathComponent("batch32_input_pixel_values.npy"))
        let batch = try encoder.encode(prepared: Array(batchInput.floats.prefix(4 * 3 * 224 * 224)), count: 4)
        let batchReference = try NpyArray(contentsOf: dir.appendingPathComponent("batch32_output_features.npy"))
        let (c32, a32) = Self.compare(batch, Array(batchReference.floats.prefix(4 * 1280)), dimension: 1280)
        print(
            "EfficientNet-Lite0 features: single cosine \(c1) max abs \(a1); batch (4 of 32) min cosine \(c32) max abs \(a32)"
        )
        #expect(c1 >= 0.99999 && c32 >= 0.99999)
        #expect(a1 <= 1e-3 && a32 <= 1e-3)
    }

    /// A model folder for a tiny export: the `.onnx` linked under `fileName`, plus a preprocessor config
    /// for 32×32 images.
    static func tinyFolder(_ model: String, onnx: String, fileName: String, mean: [Double], std: [Double]) throws
        -> URL?
    {
        guard let source = SharedFixtures.model("tiny/\(model)/\(onnx)") else { return nil }
        let folder = try SharedFixtures.temporaryDirectory("tiny-\(model)")
        try FileManager.default.createSymbolicLink(
            at: folder.appendingPathComponent(fileName), withDestinationURL: source)
        let config: [String: Any] = [
            "size": ["shortest_edge": 32], "crop_size": ["height": 32, "width": 32], "resample": 3,
            "image_mean": mean, "image_std": std, "do_center_crop": true,
        ]
        try JSONSerialization.data(withJSONObject: config).write(
            to: folder.appendingPathComponent("preprocessor_config.json"))
        return folder
    }

    static let imagenet = ([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])
    static let clipStats = ([0.48145466, 0.4578275, 0.40821073], [0.26862954, 0.26130258, 0.27577711])

    @Test(
        "tiny vision exports through their registry entries: PNG → preprocess → ONNX → pooled",
        arguments: [
            (
                "clip", "clip", "tiny-clip-vision.onnx", "vision_model.onnx", "vision_single_output_image_embeds.npy",
                "vision_batch4"
            ),
            ("dino", "dinov2", "tiny-dinov2.onnx", "model.onnx", "single_output_pooled.npy", "batch4"),
            ("dino", "vit", "tiny-vit.onnx", "model.onnx", "single_output_pooled.npy", "batch4"),
            ("resnet", "resnet", "tiny-resnet.onnx", "model.onnx", "single_output_pooled.npy", "batch4"),
            ("convnext", "convnext", "tiny-convnext.onnx", "model.onnx", "single_output_pooled.npy", "batch4"),
        ])
    func tinyVision(entry: String, model: String, onnx: String, fileName: String, output: String, batchPrefix: String)
        throws
    {
        let stats = model == "clip" ? Self.clipStats : Self.imagenet
        guard let folder = try Self.tinyFolder(model, onnx: onnx, fileName: fileName, mean: stats.0, std: stats.1),
            let images = SharedFixtures.model("images"), let dir = SharedFixtures.model("tiny/\(model)")
        else {
            print(SharedFixtures.skipMessage("tiny/\(model)"))
            return
        }
        defer { try? FileManager.default.removeItem(at: folder) }
        let encoder = try EncoderRegistry.shared.imageEncoder(
            named: entry, options: EncoderOptions(modelDirectory: folder.path))
        let reference = try NpyArray(contentsOf: dir.appendingPathComponent(output))
        let d = reference.shape.last ?? 0
        #expect(encoder.identity.dimension == d)
        let image = try ImageCodec.decode(contentsOf: images.appendingPathComponent("test_image_32_v0.png").path)
        let ours = try encoder.encode(prepared: encoder.prepare(image), count: 1)
        let (cosine, maxAbs) = Self.compare(ours, reference.floats, dimension: d)
        // Batch of 4 from the reference pixel values.
        let batchInput = try NpyArray(contentsOf: dir.appendingPathComponent("\(batchPrefix)_input_pixel_values.npy"))
        let batchOutput = try NpyArray(
            contentsOf: dir.appendingPathComponent(
                output.replacingOccurrences(of: model == "clip" ? "vision_single" : "single", with: batchPrefix)))
        let batch = try encoder.encode(prepared: batchInput.floats, count: 4)
        let (batchCosine, batchAbs) = Self.compare(batch, batchOutput.floats, dimension: d)
        print(
            "tiny \(model) via '\(entry)': single cosine \(cosine) max abs \(maxAbs); batch4 min cosine \(batchCosine) max abs \(batchAbs)"
        )
        #expect(cosine >= 0.99999 && batchCosine >= 0.99999)
        #expect(maxAbs <= 1e-4 && batchAbs <= 1e-4)
    }

    /// Tokenized rows straight from the reference ids and masks.
    static func batch(ids: NpyArray, mask: NpyArray) -> TokenizedBatch {
        let (n, s) = (ids.shape[0], ids.shape[1])
        var sequences: [[Int]] = []
        for i in 0..<n {
            sequences.append((0..<s).filter { mask.ints[i * s + $0] != 0 }.map { Int(ids.ints[i * s + $0]) })
        }
        let pad = Int(ids.ints[(0..<(n * s)).first { mask.ints[$0] == 0 } ?? 0])
        return TokenizedBatch(sequences: sequences, padding: .fixed(s), padID: pad)
    }

    @Test(
        "tiny text exports through their registry entries' model + pooling on the reference ids",
        arguments: [
            ("sentence-bert", "bert", "tiny-bert.onnx", "batch4", "sentence_embedding", false),
            ("bert", "bert", "tiny-bert.onnx", "batch4", "last_hidden_state", true),
            ("mpnet", "mpnet", "tiny-mpnet.onnx", "batch4", "sentence_embedding", false),
            ("roberta", "roberta", "tiny-roberta.onnx", "batch4", "last_hidden_state", true),
            ("clip", "clip", "tiny-clip-text.onnx", "text_batch4", "text_embeds", false),
        ])
    func tinyText(entry: String, model: String, onnx: String, prefix: String, output: String, firstToken: Bool) throws {
        guard let dir = SharedFixtures.model("tiny/\(model)") else {
            print(SharedFixtures.skipMessage("tiny/\(model)"))
            return
        }
        let spec = try #require(ModelSpec.standard.first { $0.name == entry }?.text)
        let ids = try NpyArray(contentsOf: dir.appendingPathComponent("\(prefix)_input_input_ids.npy"))
        let mask = try NpyArray(contentsOf: dir.appendingPathComponent("\(prefix)_input_attention_mask.npy"))
        let tokenized = Self.batch(ids: ids, mask: mask)
        #expect(tokenized.inputIDs == ids.ints && tokenized.attentionMask == mask.ints)
        // The tiny exports ship no tokenizer files; any tokenizer serves since ids are given.
        let tokenizer = try TextTokenizer.wordPiece(
            vocabulary: ["[PAD]": 0, "[UNK]": 100, "[CLS]": 101, "[SEP]": 102], kind: .bert, lowercase: true,
            stripAccents: nil, handleChinese: true, maxLength: 64, source: "test")
        let encoder = try ONNXTextEncoder(
            name: entry, modelPath: dir.appendingPathComponent(onnx).path, tokenizer: tokenizer, outputs: spec.outputs,
            normalize: spec.normalize)
        let ours = try encoder.embed(batch: tokenized)
        let reference = try NpyArray(contentsOf: dir.appendingPathComponent("\(prefix)_output_\(output).npy"))
        var expected = reference.floats
        let d = reference.shape.last ?? 0
        if firstToken {
            let s = reference.shape[1]
            expected = (0..<reference.shape[0]).flatMap { Array(reference.floats[($0 * s * d)..<($0 * s * d + d)]) }
        }
        let (cosine, maxAbs) = Self.compare(ours, expected, dimension: d)
        print(
            "tiny \(model) via '\(entry)' (\(encoder.output.name), \(encoder.output.pooling)): min cosine \(cosine), max abs \(maxAbs)"
        )
        #expect(cosine >= 0.99999)
        #expect(maxAbs <= 1e-4)
    }
}
