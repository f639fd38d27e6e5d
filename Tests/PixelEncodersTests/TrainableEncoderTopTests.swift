import Foundation
import PixelEncoders
import PixelNN
import PixelONNX
import PixelTensor
import Testing

/// The imported top blocks against pixelrec's ONNX interpreter on the same file: the interpreter's
/// hidden states at the cut through our autograd blocks must give the interpreter's full-model outputs.
/// Tolerance 1e-5 max abs (issue 14): both sides compute in Float32 with the same formulas, so only
/// summation order differs (measured values are printed).
@Suite("Trainable encoder tops: ONNX import")
struct TrainableEncoderTopTests {
    static func maxAbs(_ a: [Float], _ b: [Float]) -> Float {
        precondition(a.count == b.count)
        return zip(a, b).reduce(Float(0)) { max($0, abs($1.0 - $1.1)) }
    }

    static func feeds(_ batch: TokenizedBatch, model: ONNXModel) throws -> [String: ONNXValue] {
        let shape = [batch.count, batch.length]
        var feeds: [String: ONNXValue] = [:]
        for input in model.inputs {
            switch input.name {
            case "input_ids": feeds[input.name] = try ONNXValue(int64s: batch.inputIDs, shape: shape)
            case "attention_mask": feeds[input.name] = try ONNXValue(int64s: batch.attentionMask, shape: shape)
            case "token_type_ids": feeds[input.name] = try ONNXValue(int64s: batch.tokenTypeIDs, shape: shape)
            default: Issue.record("unexpected input \(input.name)")
            }
        }
        return feeds
    }

    /// Imports the top `count` blocks of `path`, runs the lower model to the cut and the top on its hidden
    /// states, and returns the max abs differences to the full interpreter run (last hidden state, pooled).
    static func compare(path: String, count: Int, batch: TokenizedBatch) throws -> (hidden: Float, pooled: Float) {
        let graph = try ONNXGraph(contentsOf: path)
        let top = try TrainableEncoderTop(graph: graph, count: count, pooling: .maskedMean, normalize: true)
        #expect(top.blocks.count == count)
        let full = try ONNXModel(contentsOf: path)
        let lower = try top.lowerModel(path: path)
        #expect(lower.preparedNodeCount < full.preparedNodeCount)
        let feeds = try feeds(batch, model: full)
        let reference = try full.run(feeds)
        let cut = try #require(try lower.run(feeds)[top.cut]?.tensor)
        let hidden = try top(cut, attentionMask: batch.attentionMask)
        let pooled = try top.pool(hidden, attentionMask: batch.attentionMask)
        let last = try #require(reference["last_hidden_state"])
        let sentence = try #require(reference["sentence_embedding"])
        #expect(hidden.shape == last.shape && pooled.shape == sentence.shape)
        return (maxAbs(hidden.scalars, last.floats), maxAbs(pooled.scalars, sentence.floats))
    }

    static func npyBatch(_ dir: URL, prefix: String) throws -> TokenizedBatch {
        let ids = try NpyArray(contentsOf: dir.appendingPathComponent("\(prefix)_input_input_ids.npy"))
        let mask = try NpyArray(contentsOf: dir.appendingPathComponent("\(prefix)_input_attention_mask.npy"))
        return ONNXEncoderTests.batch(ids: ids, mask: mask)
    }

    @Test(
        "tiny post-LN exports: top 1 and 2 blocks on the interpreter's cut equal the full model (padded batch of 4)",
        arguments: [("bert", "tiny-bert.onnx"), ("roberta", "tiny-roberta.onnx")])
    func tinyPostNorm(folder: String, file: String) throws {
        guard let dir = SharedFixtures.model("tiny/\(folder)") else {
            print(SharedFixtures.skipMessage("tiny/\(folder)"))
            return
        }
        let path = dir.appendingPathComponent(file).path
        let graph = try ONNXGraph(contentsOf: path)
        let blocks = try TransformerBlockPattern.blocks(in: graph)
        #expect(blocks.count == 2)
        let batch = try Self.npyBatch(dir, prefix: "batch4")
        #expect(batch.attentionMask.contains(0))
        for count in [1, 2] {
            let (hidden, pooled) = try Self.compare(path: path, count: count, batch: batch)
            print("tiny \(folder) top \(count): max abs last_hidden_state \(hidden), sentence_embedding \(pooled)")
            #expect(hidden <= 1e-5)
            #expect(pooled <= 1e-5)
        }
    }

    @Test("real MiniLM-L6: top 1 and 2 blocks on the interpreter's cut equal the full model (real texts, padded)")
    func miniLM() throws {
        guard let dir = SharedFixtures.model("real/minilm-l6-v2") else {
            print(SharedFixtures.skipMessage("real/minilm-l6-v2"))
            return
        }
        let path = dir.appendingPathComponent("all-MiniLM-L6-v2.onnx").path
        let blocks = try TransformerBlockPattern.blocks(in: try ONNXGraph(contentsOf: path))
        #expect(blocks.count == 6)
        #expect(blocks.allSatisfy { $0.heads == 12 && $0.width == 384 && $0.intermediate.weight.shape == [1536, 384] })
        let tokenizer = try TextTokenizer.load(directory: dir.path)
        let texts = [
            "A quiet documentary about lighthouse keepers on the Scottish coast.",
            "Space opera!",
            "The detective returns to the city where, twenty years ago, her partner vanished without a trace.",
            "cheap wireless earbuds with noise cancelling",
        ]
        let batch = tokenizer.encodeBatch(texts)
        #expect(batch.attentionMask.contains(0))
        for count in [1, 2] {
            let (hidden, pooled) = try Self.compare(path: path, count: count, batch: batch)
            print("MiniLM-L6 top \(count): max abs last_hidden_state \(hidden), sentence_embedding \(pooled)")
            #expect(hidden <= 1e-5)
            #expect(pooled <= 1e-5)
        }
    }

    /// Central differences of `L = Σ f(·) ⊙ R` (fixed random `R`, accumulated in Double) against the
    /// reverse-mode gradient, for `samples` evenly spaced entries of each parameter (every entry when
    /// fewer). Pass: `|analytic − numeric| ≤ atol + rtol·max(|analytic|, |numeric|)`; returns the failures
    /// and the largest `|analytic − numeric|`. The same check as PixelTensorTests' `GradientCheck`.
    static func gradientCheck(
        _ parameters: [Parameter], eps: Float, rtol: Float, atol: Float, samples: Int, _ f: () throws -> Tensor
    ) throws -> (failures: [String], maxError: Float, checked: Int) {
        let y0 = try Autograd.withoutRecording { try f() }
        var generator = RandomGenerator(seed: 99)
        let weights = Tensor.randomNormal(shape: y0.shape, generator: &generator)
        let w = weights.scalars
        func objective() throws -> Double {
            let y = try Autograd.withoutRecording { try f() }.scalars
            return zip(y, w).reduce(0) { $0 + Double($1.0) * Double($1.1) }
        }
        let grads = (try f() * weights).sum().gradients()
        var failures: [String] = []
        var maxError: Float = 0
        var checked = 0
        for (k, p) in parameters.enumerated() {
            let analytic = grads[p]?.dense.scalars ?? [Float](repeating: 0, count: p.value.count)
            let n = p.value.count
            let stride = max(1, n / samples)
            for i in Swift.stride(from: 0, to: n, by: stride) {
                let original = p.value.scalars[i]
                p.update { $0[i] = original + eps }
                let plus = try objective()
                p.update { $0[i] = original - eps }
                let minus = try objective()
                p.update { $0[i] = original }
                let numeric = Float((plus - minus) / Double(2 * eps))
                let error = abs(analytic[i] - numeric)
                maxError = max(maxError, error)
                checked += 1
                if !(error <= atol + rtol * max(abs(analytic[i]), abs(numeric))) {
                    failures.append("parameter \(k)[\(i)]: analytic \(analytic[i]), numeric \(numeric)")
                }
            }
        }
        return (failures, maxError, checked)
    }

    @Test(
        "tiny BERT: the imported top block's gradients (cut hidden states, 64 entries of every parameter) pass central differences"
    )
    func tinyBertGradients() throws {
        guard let dir = SharedFixtures.model("tiny/bert") else {
            print(SharedFixtures.skipMessage("tiny/bert"))
            return
        }
        let path = dir.appendingPathComponent("tiny-bert.onnx").path
        let top = try TrainableEncoderTop(
            graph: try ONNXGraph(contentsOf: path), count: 1, pooling: .maskedMean, normalize: true)
        let batch = try Self.npyBatch(dir, prefix: "batch4")
        let cut = try #require(
            try top.lowerModel(path: path).run(Self.feeds(batch, model: ONNXModel(contentsOf: path)))[top.cut]?.tensor)
        let x = Parameter(cut)
        let mask = batch.attentionMask
        // The layer-norm-heavy tolerances of PixelTensorTests' block check: step 4e-3, rtol 2e-2, atol 3e-3;
        // 64 entries of each parameter and of the input.
        for (name, f) in [
            ("last hidden state", { try top(x.value, attentionMask: mask) }),
            ("pooled", { try top.pool(try top(x.value, attentionMask: mask), attentionMask: mask) }),
        ] as [(String, () throws -> Tensor)] {
            let (failures, maxError, checked) = try Self.gradientCheck(
                [x] + top.parameters, eps: 4e-3, rtol: 2e-2, atol: 3e-3, samples: 64, f)
            print("tiny BERT top 1 gradients (\(name)): \(checked) entries, max |analytic − numeric| \(maxError)")
            #expect(failures.isEmpty, "\(failures.count) mismatches: \(failures.prefix(5))")
        }
    }

    @Test("a graph without transformer blocks gets one typed error naming a node")
    func unsupportedGraph() throws {
        guard let dir = SharedFixtures.model("real/efficientnet-lite0") else {
            print(SharedFixtures.skipMessage("real/efficientnet-lite0"))
            return
        }
        let graph = try ONNXGraph(contentsOf: dir.appendingPathComponent("efficientnet-lite0.onnx").path)
        #expect {
            _ = try TrainableEncoderTop(graph: graph, count: 1, pooling: .maskedMean, normalize: false)
        } throws: { error in
            guard case .unsupportedGraph(_, _, let pattern)? = error as? EncoderError else { return false }
            print("efficientnet-lite0: \(error)")
            return pattern.contains("LayerNormalization")
        }
    }

    /// MPNet adds a relative position bias (computed from `input_ids`' positions) to the scores with the
    /// mask: not a plain key padding mask, so the importer refuses it with the node named (not supported yet).
    @Test("tiny MPNet (relative position bias in the scores) is refused with one typed line")
    func mpnetRefused() throws {
        guard let dir = SharedFixtures.model("tiny/mpnet") else {
            print(SharedFixtures.skipMessage("tiny/mpnet"))
            return
        }
        let graph = try ONNXGraph(contentsOf: dir.appendingPathComponent("tiny-mpnet.onnx").path)
        #expect {
            _ = try TrainableEncoderTop(graph: graph, count: 1, pooling: .maskedMean, normalize: true)
        } throws: { error in
            guard case .unsupportedGraph(_, let node, let pattern)? = error as? EncoderError else { return false }
            print("tiny MPNet: \(error)")
            return node.contains("attention") && pattern.contains("input_ids")
        }
    }

    @Test("asking for more blocks than the file has is a typed error")
    func tooManyBlocks() throws {
        guard let dir = SharedFixtures.model("tiny/bert") else {
            print(SharedFixtures.skipMessage("tiny/bert"))
            return
        }
        let graph = try ONNXGraph(contentsOf: dir.appendingPathComponent("tiny-bert.onnx").path)
        #expect(throws: EncoderError.self) {
            _ = try TrainableEncoderTop(graph: graph, count: 3, pooling: .maskedMean, normalize: true)
        }
        // A requested interpreter output that the graph does not define.
        #expect(throws: ONNXError.self) {
            _ = try ONNXModel(contentsOf: graph.path, outputs: ["no such value"])
        }
    }

    @Test(
        "a top rebuilt from its architecture (JSON round trip) with the imported weights loaded by name equals the import bit for bit"
    )
    func architectureRoundTrip() throws {
        guard let dir = SharedFixtures.model("tiny/bert") else {
            print(SharedFixtures.skipMessage("tiny/bert"))
            return
        }
        let path = dir.appendingPathComponent("tiny-bert.onnx").path
        let imported = try TrainableEncoderTop(
            graph: try ONNXGraph(contentsOf: path), count: 2, pooling: .maskedMean, normalize: true)
        let architecture = imported.architecture
        #expect(architecture.violation == nil)
        let decoded = try JSONDecoder().decode(
            TrainableEncoderTop.Architecture.self, from: try JSONEncoder().encode(architecture))
        #expect(decoded == architecture)
        // The shapes a checkpoint validator would expect, without building layers, are the import's.
        #expect(
            decoded.parameterShapes.map(\.0) == imported.namedParameters().map(\.0)
                && decoded.parameterShapes.map(\.1) == imported.namedParameters().map { $0.1.value.shape })
        let rebuilt = try TrainableEncoderTop(architecture: decoded)
        try rebuilt.load(stateDict: imported.stateDict())
        var generator = RandomGenerator(seed: 5)
        let x = Tensor.randomNormal(shape: [2, 5, imported.width], generator: &generator)
        let mask: [Int64] = [1, 1, 1, 0, 0, 1, 1, 1, 1, 1]
        let a = try imported.pool(try imported(x, attentionMask: mask), attentionMask: mask).scalars
        let b = try rebuilt.pool(try rebuilt(x, attentionMask: mask), attentionMask: mask).scalars
        #expect(a == b)
        // An architecture from an untrusted file is checked before any layer is built.
        var broken = decoded
        broken.blocks[0].heads = 7
        #expect(throws: EncoderError.self) { _ = try TrainableEncoderTop(architecture: broken) }
        broken = decoded
        broken.blocks[1].biases = [true]
        #expect(broken.violation?.hasPrefix("blocks[1].biases") == true)
    }
}
