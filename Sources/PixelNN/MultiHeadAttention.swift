import PixelTensor

/// Multi-head scaled dot-product attention (self or cross), PyTorch `nn.MultiheadAttention` with
/// `batch_first=True`:
/// `head_h = softmax(Q_h K_hᵀ / √d_h + mask) V_h`, output `concat(head_1…head_H) · W_oᵀ + b_o`,
/// `Q = query·W_qᵀ + b_q`, `K = key·W_kᵀ + b_k`, `V = value·W_vᵀ + b_v`.
///
/// Shapes: query `[B, Tq, E]`, key/value `[B, Tk, E]`, output `[B, Tq, E]`; `E` divisible by `heads`.
public final class MultiHeadAttention: Layer {
    public let queryProjection: Linear
    public let keyProjection: Linear
    public let valueProjection: Linear
    public let outputProjection: Linear
    public let heads: Int
    /// Dropout probability on the attention weights (training only).
    public let dropout: Float
    public private(set) var isTraining = true
    private var generator: RandomGenerator

    /// - Parameters:
    ///   - dropout: dropout on the attention weights (training only).
    ///   - seed: projections are xavier-uniform initialized (as PyTorch's `in_proj_weight`), biases 0.
    public init(embedDim: Int, heads: Int, dropout: Float = 0, seed: UInt64) {
        precondition(
            heads > 0 && embedDim % heads == 0, "MultiHeadAttention: \(embedDim) not divisible by \(heads) heads")
        func projection(_ s: UInt64) -> Linear {
            let l = Linear(inputSize: embedDim, outputSize: embedDim, initializer: .xavierUniform(), seed: s)
            l.bias?.value = Tensor(zeros: [embedDim])
            return l
        }
        queryProjection = projection(seed)
        keyProjection = projection(seed &+ 1)
        valueProjection = projection(seed &+ 2)
        outputProjection = projection(seed &+ 3)
        self.heads = heads
        precondition(dropout >= 0 && dropout < 1, "MultiHeadAttention: dropout \(dropout) not in [0, 1)")
        self.dropout = dropout
        generator = RandomGenerator(seed: seed &+ 4)
    }

    /// Attention over given projections (imported weights), each `[E, E]` with `E` divisible by `heads`.
    public init(query: Linear, key: Linear, value: Linear, output: Linear, heads: Int, dropout: Float = 0, seed: UInt64)
    {
        let e = query.outputSize
        precondition(
            heads > 0 && e % heads == 0
                && [query, key, value, output].allSatisfy { $0.inputSize == e && $0.outputSize == e },
            "MultiHeadAttention: projections \([query, key, value, output].map(\.weight.shape)) for \(heads) heads")
        precondition(dropout >= 0 && dropout < 1, "MultiHeadAttention: dropout \(dropout) not in [0, 1)")
        queryProjection = query
        keyProjection = key
        valueProjection = value
        outputProjection = output
        self.heads = heads
        self.dropout = dropout
        generator = RandomGenerator(seed: seed &+ 4)
    }

    /// Self-attention: `attend(x, x, x)`.
    public func callAsFunction(_ x: Tensor, keyPaddingMask: [Bool]? = nil) -> Tensor {
        attend(query: x, key: x, value: x, keyPaddingMask: keyPaddingMask)
    }

    /// Attention of `query` over `key`/`value`.
    /// - Parameter keyPaddingMask: `B·Tk` flags, row-major `[B, Tk]`; `true` marks a padded key that gets
    ///   no attention (a row with every key padded yields NaN, as PyTorch).
    ///
    /// Without dropout (evaluation, or `dropout` 0 as in imported encoder tops) nothing is drawn and the
    /// layer's stream is not written, so threads may share the layer (data-parallel shards, evaluation
    /// workers).
    public func attend(query: Tensor, key: Tensor, value: Tensor, keyPaddingMask: [Bool]? = nil) -> Tensor {
        let (q, k, v) = (queryProjection(query), keyProjection(key), valueProjection(value))
        let context: Tensor
        if isTraining && dropout > 0 {
            context = multiHeadAttention(
                query: q, key: k, value: v, heads: heads, keyPaddingMask: keyPaddingMask, dropout: dropout,
                generator: &generator)
        } else {
            var unused = RandomGenerator(seed: 0)
            context = multiHeadAttention(
                query: q, key: k, value: v, heads: heads, keyPaddingMask: keyPaddingMask, dropout: 0,
                generator: &unused)
        }
        return outputProjection(context)
    }

    public func namedParameters() -> [(String, Parameter)] {
        prefixed("q_proj", queryProjection.namedParameters()) + prefixed("k_proj", keyProjection.namedParameters())
            + prefixed("v_proj", valueProjection.namedParameters())
            + prefixed("out_proj", outputProjection.namedParameters())
    }

    public func setTraining(_ training: Bool) { isTraining = training }
}
