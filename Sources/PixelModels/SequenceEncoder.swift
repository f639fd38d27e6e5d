import PixelNN
import PixelTensor

/// One SASRec block (pre-norm self-attention, then a position-wise feed-forward layer):
///
/// `q = LN_a(x)`, `x' = q + MHA_causal(q, x, x)`, `y = LN_f(x')`,
/// `out = y + Dropout(W_2 · Dropout(ReLU(W_1 · y + b_1)) + b_2)`
/// (Kang & McAuley 2018, as in the reference PyTorch implementation).
final class SequenceBlock: Layer {
    let attentionNorm: LayerNorm
    let attention: ModelAttention
    let feedForwardNorm: LayerNorm
    let inner: Linear
    let outer: Linear
    let dropout: Float
    let randomness: ModelRandomness
    var isTraining = true

    init(width: Int, heads: Int, dropout: Float, randomness: ModelRandomness, seed: UInt64) {
        attentionNorm = LayerNorm(dimension: width, epsilon: 1e-8)
        attention = ModelAttention(width: width, heads: heads, dropout: dropout, randomness: randomness, seed: seed)
        feedForwardNorm = LayerNorm(dimension: width, epsilon: 1e-8)
        inner = Linear(inputSize: width, outputSize: width, initializer: .xavierUniform(), seed: seed &+ 10)
        outer = Linear(inputSize: width, outputSize: width, initializer: .xavierUniform(), seed: seed &+ 11)
        self.dropout = dropout
        self.randomness = randomness
    }

    /// `x` `[B, L, d]`; `padding` flags `B·L` slots without an item.
    func callAsFunction(_ x: Tensor, padding: [Bool]) -> Tensor {
        let q = attentionNorm(x)
        let attended = q + attention.attend(q, x, keyPaddingMask: padding, causal: true)
        let y = feedForwardNorm(attended)
        let h =
            isTraining && dropout > 0
            ? reluDropout(inner(y), probability: dropout, generator: &randomness.active.generator) : relu(inner(y))
        return y + drop(outer(h))
    }

    func drop(_ x: Tensor) -> Tensor {
        guard isTraining && dropout > 0 else { return x }
        return PixelTensor.dropout(x, probability: dropout, generator: &randomness.active.generator)
    }

    func namedParameters() -> [(String, Parameter)] {
        prefixed("attention_norm", attentionNorm.namedParameters()) + prefixed("attention", attention.namedParameters())
            + prefixed("ffn_norm", feedForwardNorm.namedParameters()) + prefixed("ffn.0", inner.namedParameters())
            + prefixed("ffn.1", outer.namedParameters())
    }

    func setTraining(_ training: Bool) {
        isTraining = training
        attention.setTraining(training)
    }
}

/// The sequence user encoder (`model.user_encoder: sequence | hybrid`): causal self-attention over the
/// item tower's vectors of a user's newest `L = max_seq_len` items.
///
/// Input, right-aligned in `L` slots (padded on the left): `x_t = v_{i_t} + p_t` (`p` a learned
/// position per slot, so the newest item is always at slot `L − 1`), dropout, padded slots zeroed.
/// Then `seq_blocks` ``SequenceBlock``s, padded slots zeroed after each, and a final LayerNorm:
/// `h_t`, the state after reading items `1…t`. The user vector is `h` at the last slot; training
/// predicts item `t + 1` from `h_t` at every slot.
final class SequenceEncoder: Layer {
    let length: Int
    let width: Int
    let positions: Parameter
    let blocks: [SequenceBlock]
    let finalNorm: LayerNorm
    let dropout: Float
    let randomness: ModelRandomness
    var isTraining = true

    init(length: Int, width: Int, blocks: Int, heads: Int, dropout: Float, randomness: ModelRandomness, seed: UInt64) {
        self.length = length
        self.width = width
        var generator = RandomGenerator(seed: seed)
        positions = Parameter(Initializer.normal(std: 0.1).make(shape: [length, width], generator: &generator))
        self.blocks = (0..<blocks).map {
            SequenceBlock(
                width: width, heads: heads, dropout: dropout, randomness: randomness,
                seed: mixSeed(seed, UInt64($0) &+ 1))
        }
        finalNorm = LayerNorm(dimension: width, epsilon: 1e-8)
        self.dropout = dropout
        self.randomness = randomness
    }

    /// States `[B, L, d]` of item vectors `tokens` `[B, L, d]`; `padding` flags the `B·L` empty slots
    /// (their rows of `tokens` may hold anything).
    func callAsFunction(_ tokens: Tensor, padding: [Bool]) -> Tensor {
        let b = tokens.shape[0]
        let keep = Tensor(shape: [b, length, 1], scalars: padding.map { $0 ? 0 : 1 })
        var x = tokens + positions.value
        if isTraining && dropout > 0 {
            x = PixelTensor.dropout(x, probability: dropout, generator: &randomness.active.generator)
        }
        x = x * keep
        for block in blocks { x = block(x, padding: padding) * keep }
        return finalNorm(x)
    }

    func namedParameters() -> [(String, Parameter)] {
        [("positions", positions)]
            + blocks.enumerated().flatMap { k, block in prefixed("blocks.\(k)", block.namedParameters()) }
            + prefixed("final_norm", finalNorm.namedParameters())
    }

    func setTraining(_ training: Bool) {
        isTraining = training
        for block in blocks { block.setTraining(training) }
    }
}
