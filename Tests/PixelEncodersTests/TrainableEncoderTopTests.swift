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

    @Test("tiny BERT: top 1 and 2 blocks on the interpreter's cut equal the full model (padded batch of 4)")
    func tinyBert() throws {
        guard let dir = SharedFixtures.model("tiny/bert") else {
            print(SharedFixtures.skipMessage("tiny/bert"))
            return
        }
        let path = dir.appendingPathComponent("tiny-bert.onnx").path
        let graph = try ONNXGraph(contentsOf: path)
        let blocks = try TransformerBlockPattern.blocks(in: graph)
        #expect(blocks.count == 2)
        let batch = try Self.npyBatch(dir, prefix: "batch4")
        #expect(batch.attentionMask.contains(0))
        for count in [1, 2] {
            let (hidden, pooled) = try Self.compare(path: path, count: count, batch: batch)
            print("tiny BERT top \(count): max abs last_hidden_state \(hidden), sentence_embedding \(pooled)")
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
}
