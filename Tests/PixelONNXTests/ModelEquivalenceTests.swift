import Foundation
import PixelONNX
import Testing

/// One exported model plus the onnxruntime reference `.npy` files beside it.
struct ReferenceCase: CustomStringConvertible, Sendable {
    /// Model path relative to `../shared/models`, or absolute.
    let model: String
    /// File-name prefix of the reference set, e.g. `single_` or `vision_batch4_`.
    let prefix: String

    var description: String { "\(model) [\(prefix.dropLast())]" }

    static let all: [ReferenceCase] = {
        var cases: [ReferenceCase] = []
        for m in [
            "tiny/bert/tiny-bert.onnx", "tiny/mpnet/tiny-mpnet.onnx", "tiny/roberta/tiny-roberta.onnx",
            "tiny/vit/tiny-vit.onnx", "tiny/dinov2/tiny-dinov2.onnx", "tiny/convnext/tiny-convnext.onnx",
            "tiny/resnet/tiny-resnet.onnx",
        ] {
            cases += [ReferenceCase(model: m, prefix: "single_"), ReferenceCase(model: m, prefix: "batch4_")]
        }
        for (m, tag) in [("tiny/clip/tiny-clip-text.onnx", "text_"), ("tiny/clip/tiny-clip-vision.onnx", "vision_")] {
            cases += [
                ReferenceCase(model: m, prefix: tag + "single_"), ReferenceCase(model: m, prefix: tag + "batch4_"),
            ]
        }
        for m in ["real/minilm-l6-v2/all-MiniLM-L6-v2.onnx", "real/efficientnet-lite0/efficientnet-lite0.onnx"] {
            cases += [ReferenceCase(model: m, prefix: "single_"), ReferenceCase(model: m, prefix: "batch32_")]
        }
        // Full-size CLIP ViT-B/32 vision tower (random weights, exact architecture).
        cases.append(
            ReferenceCase(model: TestPaths.clipBase + "/clip-vit-b32-random-vision.onnx", prefix: "vision_single_"))
        return cases
    }()

    var modelPath: String { model.hasPrefix("/") ? model : TestPaths.models + "/" + model }
    var directory: String { (modelPath as NSString).deletingLastPathComponent }

    func inputs(for model: ONNXModel) throws -> [String: ONNXValue] {
        var feeds: [String: ONNXValue] = [:]
        for d in model.inputs { feeds[d.name] = try NumpyArray.read("\(directory)/\(prefix)input_\(d.name).npy") }
        return feeds
    }

    func expected(_ name: String) throws -> ONNXValue {
        try NumpyArray.read("\(directory)/\(prefix)output_\(name).npy")
    }
}

@Suite("ONNX models reproduce onnxruntime")
struct ModelEquivalenceTests {
    /// Hidden states: max |ours − ORT| ≤ 1e-4. Pooled / embedding / logits outputs: min row cosine ≥ 0.99999.
    @Test("outputs match the onnxruntime references", arguments: ReferenceCase.all)
    func matchesReference(_ c: ReferenceCase) throws {
        guard TestPaths.exists(c.modelPath) else {
            print("skipped \(c): \(c.modelPath) is absent (set PIXELREC_SHARED)")
            return
        }
        let model = try ONNXModel(contentsOf: c.modelPath)
        let feeds = try c.inputs(for: model)
        // Run twice: the first run builds the shape-specialized plan, the second uses it.
        _ = try model.run(feeds)
        let outputs = try model.run(feeds)
        for d in model.outputs {
            let want = try c.expected(d.name)
            let got = try #require(outputs[d.name])
            #expect(got.shape == want.shape, "\(c) \(d.name): shape \(got.shape) vs \(want.shape)")
            let diff = Compare.maxAbsDiff(got.floats, want.floats)
            if d.name == "last_hidden_state" {
                print("\(c) \(d.name): max abs diff \(diff)")
                #expect(diff <= 1e-4, "\(c) \(d.name): max abs diff \(diff)")
            } else {
                let rows = want.shape.first ?? 1
                let cosine = Compare.minRowCosine(got.floats, want.floats, rows: rows)
                print("\(c) \(d.name): min cosine \(cosine), max abs diff \(diff)")
                #expect(cosine >= 0.99999, "\(c) \(d.name): cosine \(cosine)")
            }
        }
    }

    /// Fusion and shape folding must not change results: compare with an unoptimized run.
    @Test(
        "fused and shape-folded graphs equal the plain graph",
        arguments: ReferenceCase.all.filter { $0.model.hasPrefix("tiny/") })
    func optimizationsPreserveResults(_ c: ReferenceCase) throws {
        guard TestPaths.exists(c.modelPath) else {
            print("skipped \(c): \(c.modelPath) is absent")
            return
        }
        let plain = try ONNXModel(contentsOf: c.modelPath, options: .init(fuse: false, foldShapes: false))
        let optimized = try ONNXModel(contentsOf: c.modelPath)
        #expect(optimized.preparedNodeCount <= plain.preparedNodeCount)
        let feeds = try c.inputs(for: plain)
        let a = try plain.run(feeds)
        _ = try optimized.run(feeds)
        let b = try optimized.run(feeds)
        for d in plain.outputs {
            let x = try #require(a[d.name]), y = try #require(b[d.name])
            #expect(x.shape == y.shape)
            let diff = Compare.maxAbsDiff(x.floats, y.floats)
            #expect(diff <= 1e-6, "\(c) \(d.name): fused vs plain max abs diff \(diff)")
        }
    }

    /// The attention fusion (MatMul → scale → +mask → Softmax → MatMul with the head Transposes) fires once
    /// per layer and keeps the outputs within 1e-5 (max abs) of the same graph without it (other fusions on).
    @Test(
        "attention fusion matches the unfused graph",
        arguments: [
            ReferenceCase(model: "real/minilm-l6-v2/all-MiniLM-L6-v2.onnx", prefix: "single_"),
            ReferenceCase(model: "real/minilm-l6-v2/all-MiniLM-L6-v2.onnx", prefix: "batch32_"),
            ReferenceCase(model: "tiny/bert/tiny-bert.onnx", prefix: "batch4_"),
            ReferenceCase(model: "tiny/clip/tiny-clip-vision.onnx", prefix: "vision_batch4_"),
        ])
    func attentionFusion(_ c: ReferenceCase) throws {
        guard TestPaths.exists(c.modelPath) else {
            print("skipped \(c): \(c.modelPath) is absent")
            return
        }
        let plain = try ONNXModel(contentsOf: c.modelPath, options: .init(fuseAttention: false))
        let fused = try ONNXModel(contentsOf: c.modelPath)
        #expect(plain.preparedOperatorCounts["Attention"] == nil)
        let layers = plain.operatorCounts["Softmax"] ?? 0
        #expect(
            layers > 0 && fused.preparedOperatorCounts["Attention"] == layers,
            "\(c): \(fused.preparedOperatorCounts["Attention"] ?? 0) fused attention nodes for \(layers) Softmax")
        #expect(fused.preparedNodeCount < plain.preparedNodeCount)
        let feeds = try c.inputs(for: plain)
        let a = try plain.run(feeds)
        _ = try fused.run(feeds)
        let b = try fused.run(feeds)
        for d in plain.outputs {
            let x = try #require(a[d.name]), y = try #require(b[d.name])
            #expect(x.shape == y.shape)
            let diff = Compare.maxAbsDiff(x.floats, y.floats)
            print("\(c) \(d.name): attention fused vs unfused max abs diff \(diff)")
            #expect(diff <= 1e-5, "\(c) \(d.name): fused vs unfused max abs diff \(diff)")
        }
    }
}
