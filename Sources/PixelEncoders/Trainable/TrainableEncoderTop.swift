import PixelNN
import PixelONNX
import PixelTensor

/// The top `N` transformer blocks of a text encoder, imported from its ONNX file into autograd layers so
/// they can be trained, plus the pooling the encoder applies after its last block.
///
/// The frozen lower part runs in the interpreter up to ``cut`` (see ``lowerModel(path:)``); its hidden
/// states `[B, T, E]` go through ``callAsFunction(_:attentionMask:)`` (`[B, T, E]`, the encoder's last
/// hidden state) and ``pool(_:attentionMask:)`` (`[B, E]`).
public final class TrainableEncoderTop: Layer {
    /// How the last hidden state becomes one vector per text (``Pooling`` of the registry, in autograd).
    public enum TopPooling: String, Sendable, Codable {
        /// `Σ_t m_t·h_t / max(Σ_t m_t, 1e-9)` (Sentence-BERT, the `sentence_embedding` outputs).
        case maskedMean
        /// The first token (`[CLS]`, `<s>`).
        case cls
    }

    public let blocks: [TransformerEncoderBlock]
    /// The value the first imported block reads: the output of the block below (or of the embedding
    /// LayerNorm when every block is imported).
    public let cut: String
    /// Blocks in the file; the imported ones are the last `blocks.count`.
    public let totalBlocks: Int
    public let pooling: TopPooling
    /// L2-normalize the pooled vectors (`x / max(‖x‖₂, 1e-12)`, as sentence-transformers' `Normalize`).
    public let normalize: Bool

    /// Imports the top `count` blocks of `graph`.
    /// - Throws: ``EncoderError/unsupportedGraph(path:node:pattern:)`` when the graph has no recognised
    ///   blocks; ``EncoderError/invalidArgument(_:)`` when `count` is not in `1…blocks`.
    public convenience init(graph: ONNXGraph, count: Int, pooling: TopPooling, normalize: Bool) throws {
        let patterns = try TransformerBlockPattern.blocks(in: graph)
        guard count >= 1, count <= patterns.count else {
            throw EncoderError.invalidArgument(
                "trainable encoder layers: \(count) not in 1…\(patterns.count) (\(graph.path) has \(patterns.count) blocks)"
            )
        }
        let top = patterns.suffix(count)
        self.init(
            blocks: top.map(Self.block), cut: top[top.startIndex].input, totalBlocks: patterns.count,
            pooling: pooling, normalize: normalize)
    }

    /// A top of the given blocks (see ``init(architecture:)`` for one rebuilt without the ONNX file).
    init(blocks: [TransformerEncoderBlock], cut: String, totalBlocks: Int, pooling: TopPooling, normalize: Bool) {
        precondition(!blocks.isEmpty && blocks.count <= totalBlocks, "TrainableEncoderTop: \(blocks.count) blocks")
        self.blocks = blocks
        self.cut = cut
        self.totalBlocks = totalBlocks
        self.pooling = pooling
        self.normalize = normalize
    }

    /// Hidden width `E`.
    public var width: Int { blocks[0].width }

    private static func block(_ p: TransformerBlockPattern) -> TransformerEncoderBlock {
        func linear(_ w: TransformerBlockPattern.LinearWeights) -> Linear { Linear(weight: w.weight, bias: w.bias) }
        func norm(_ w: TransformerBlockPattern.NormWeights) -> LayerNorm {
            LayerNorm(weight: w.weight, bias: w.bias, epsilon: w.epsilon)
        }
        let attention = MultiHeadAttention(
            query: linear(p.query), key: linear(p.key), value: linear(p.value), output: linear(p.attentionOutput),
            heads: p.heads, seed: 0)
        return TransformerEncoderBlock(
            attention: attention, attentionNorm: norm(p.attentionNorm), intermediate: linear(p.intermediate),
            output: linear(p.feedForwardOutput), outputNorm: norm(p.outputNorm), activation: .gelu,
            normalization: .post)
    }

    /// The last hidden state `[B, T, E]` from the hidden states at the cut `[B, T, E]`.
    /// - Parameter attentionMask: `B·T` values, row-major, 0 for padding (as fed to the ONNX model).
    /// - Throws: ``EncoderError/invalidArgument(_:)`` on a shape or mask that does not fit.
    public func callAsFunction(_ hidden: Tensor, attentionMask: [Int64]) throws -> Tensor {
        guard hidden.rank == 3, hidden.shape[2] == width, attentionMask.count == hidden.shape[0] * hidden.shape[1]
        else {
            throw EncoderError.invalidArgument(
                "encoder top: hidden states \(hidden.shape) with \(attentionMask.count) mask values, expected [B, T, \(width)] and B·T"
            )
        }
        let t = hidden.shape[1]
        for i in 0..<hidden.shape[0] where !attentionMask[(i * t)..<((i + 1) * t)].contains(where: { $0 != 0 }) {
            // Every key padded would make the attention weights NaN.
            throw EncoderError.invalidArgument("encoder top: row \(i) of the attention mask has no token")
        }
        let padding = attentionMask.map { $0 == 0 }
        return blocks.reduce(hidden) { x, block in block(x, keyPaddingMask: padding) }
    }

    /// One vector per text `[B, E]` from the last hidden state `[B, T, E]`.
    public func pool(_ hidden: Tensor, attentionMask: [Int64]) throws -> Tensor {
        guard hidden.rank == 3, attentionMask.count == hidden.shape[0] * hidden.shape[1] else {
            throw EncoderError.invalidArgument(
                "encoder top: pooling \(hidden.shape) with \(attentionMask.count) mask values")
        }
        let (b, t) = (hidden.shape[0], hidden.shape[1])
        let weights: Tensor
        switch pooling {
        case .maskedMean:
            var w = [Float](repeating: 0, count: b * t)
            for i in 0..<b {
                let row = attentionMask[(i * t)..<((i + 1) * t)].reduce(Float(0)) { $0 + Float($1) }
                let inverse = 1 / max(row, 1e-9)
                for j in 0..<t { w[i * t + j] = Float(attentionMask[i * t + j]) * inverse }
            }
            weights = Tensor(shape: [b, t, 1], scalars: w)
        case .cls:
            var w = [Float](repeating: 0, count: b * t)
            for i in 0..<b where t > 0 { w[i * t] = 1 }
            weights = Tensor(shape: [b, t, 1], scalars: w)
        }
        let pooled = (hidden * weights).sum(axis: 1)
        return normalize ? l2Normalize(pooled) : pooled
    }

    /// The lower part of the encoder: the model at `path` (the file `graph` came from) computing only
    /// ``cut``.
    public func lowerModel(path: String, options: ONNXModel.Options = ONNXModel.Options()) throws -> ONNXModel {
        try ONNXModel(contentsOf: path, options: options, outputs: [cut])
    }

    public func namedParameters() -> [(String, Parameter)] {
        blocks.enumerated().flatMap { k, block in
            prefixed("blocks.\(totalBlocks - blocks.count + k)", block.namedParameters())
        }
    }

    public func setTraining(_ training: Bool) { for b in blocks { b.setTraining(training) } }
}
