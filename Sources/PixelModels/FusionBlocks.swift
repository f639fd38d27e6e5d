import PixelNN
import PixelTensor

/// Dropout whose random stream is owned by the model (``ModelRandomness``), so a checkpoint taken at
/// an epoch boundary reproduces every later mask: the stream of epoch `e` is a pure function of
/// `(seed, e)`.
///
/// Data-parallel shards of a step run the same layers concurrently, each with its own stream: a shard
/// binds ``override`` (task-local, so per thread) and every draw of the model goes to it instead.
final class ModelRandomness: @unchecked Sendable {
    var generator: RandomGenerator
    let seed: UInt64

    /// The stream the current thread's forward passes draw from instead of the model's own.
    @TaskLocal static var override: ModelRandomness?

    /// The stream draws go to: the bound ``override``, else `self`.
    var active: ModelRandomness { Self.override ?? self }

    init(seed: UInt64) {
        self.seed = seed
        generator = RandomGenerator(seed: seed)
    }

    /// A stream starting at `generator`'s state (a shard's).
    init(generator: RandomGenerator) {
        seed = 0
        self.generator = generator
    }

    /// Restarts the stream for `epoch` (called at the start of every epoch, also after a resume).
    func reset(epoch: Int) { generator = RandomGenerator(seed: mixSeed(seed, UInt64(epoch) &+ 0x5EED)) }
}

/// SplitMix-style mixing of a seed and a stream number.
@inlinable
func mixSeed(_ seed: UInt64, _ stream: UInt64) -> UInt64 {
    var z = seed &+ stream &* 0x9E37_79B9_7F4A_7C15
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
}

/// A frozen encoder's output projected to the model width: `Linear(in → d)`, or with
/// `projection_hidden_dim` h: `Linear(in → h) → activation → Linear(h → d)`.
final class ProjectionHead: Layer {
    let first: Linear
    let second: Linear?
    let activation: Activation

    init(input: Int, output: Int, hidden: Int?, activation: Activation, initializer: Initializer, seed: UInt64) {
        if let hidden {
            first = Linear(inputSize: input, outputSize: hidden, initializer: initializer, seed: seed)
            second = Linear(inputSize: hidden, outputSize: output, initializer: initializer, seed: seed &+ 1)
        } else {
            first = Linear(inputSize: input, outputSize: output, initializer: initializer, seed: seed)
            second = nil
        }
        self.activation = activation
    }

    func callAsFunction(_ x: Tensor) -> Tensor {
        guard let second else { return first(x) }
        return second(activation(first(x)))
    }

    func namedParameters() -> [(String, Parameter)] {
        prefixed("0", first.namedParameters()) + (second.map { prefixed("1", $0.namedParameters()) } ?? [])
    }
}

/// Multi-head attention (`PixelTensor.multiHeadAttention`, projections as PyTorch
/// `nn.MultiheadAttention`) whose attention dropout draws from the model's stream.
final class ModelAttention: Layer {
    let query: Linear, key: Linear, value: Linear, output: Linear
    let heads: Int
    let dropout: Float
    /// The stream attention dropout draws from (the owning model's).
    var randomness: ModelRandomness
    var isTraining = true

    init(width: Int, heads: Int, dropout: Float, randomness: ModelRandomness, seed: UInt64) {
        func projection(_ s: UInt64) -> Linear {
            let l = Linear(inputSize: width, outputSize: width, initializer: .xavierUniform(), seed: s)
            l.bias?.value = Tensor(zeros: [width])
            return l
        }
        query = projection(seed)
        key = projection(seed &+ 1)
        value = projection(seed &+ 2)
        output = projection(seed &+ 3)
        self.heads = heads
        self.dropout = dropout
        self.randomness = randomness
    }

    /// `query` `[B, Tq, d]` attends over `context` `[B, Tk, d]`; output `[B, Tq, d]`. `causal` and
    /// `keyPaddingMask` as in `PixelTensor.multiHeadAttention`.
    func attend(_ q: Tensor, _ context: Tensor, keyPaddingMask: [Bool]? = nil, causal: Bool = false) -> Tensor {
        let o = multiHeadAttention(
            query: query(q), key: key(context), value: value(context), heads: heads, keyPaddingMask: keyPaddingMask,
            causal: causal, dropout: isTraining ? dropout : 0, generator: &randomness.active.generator)
        return output(o)
    }

    func namedParameters() -> [(String, Parameter)] {
        prefixed("q_proj", query.namedParameters()) + prefixed("k_proj", key.namedParameters())
            + prefixed("v_proj", value.namedParameters()) + prefixed("out_proj", output.namedParameters())
    }

    func setTraining(_ training: Bool) { isTraining = training }
}

/// The fusion MLP: per hidden width `Linear → [BatchNorm1d] → activation → [Dropout]`, then a final
/// `Linear → output` without activation (the representation is scored by inner products, so it must be
/// able to take any sign).
final class FusionMLP: Layer {
    let linears: [Linear]
    let norms: [BatchNorm1d]
    let head: Linear
    let activation: Activation
    let dropout: Float
    let randomness: ModelRandomness
    var isTraining = true

    init(
        input: Int, hidden: [Int], output: Int, activation: Activation, batchNorm: Bool, dropout: Float,
        initializer: Initializer, randomness: ModelRandomness, seed: UInt64
    ) {
        var width = input
        var linears: [Linear] = [], norms: [BatchNorm1d] = []
        for (i, size) in hidden.enumerated() {
            linears.append(
                Linear(inputSize: width, outputSize: size, initializer: initializer, seed: seed &+ UInt64(i)))
            if batchNorm { norms.append(BatchNorm1d(features: size)) }
            width = size
        }
        self.linears = linears
        self.norms = norms
        head = Linear(inputSize: width, outputSize: output, initializer: initializer, seed: seed &+ 977)
        self.activation = activation
        self.dropout = dropout
        self.randomness = randomness
    }

    func callAsFunction(_ x: Tensor) -> Tensor {
        var h = x
        for (i, linear) in linears.enumerated() {
            h = linear(h)
            if !norms.isEmpty { h = norms[i](h) }
            if isTraining && dropout > 0 {
                if activation == .relu {
                    h = reluDropout(h, probability: dropout, generator: &randomness.active.generator)  // one fused pass
                } else {
                    h = PixelTensor.dropout(
                        activation(h), probability: dropout, generator: &randomness.active.generator)
                }
            } else {
                h = activation(h)
            }
        }
        return head(h)
    }

    func namedParameters() -> [(String, Parameter)] {
        var out: [(String, Parameter)] = []
        for (i, linear) in linears.enumerated() {
            out += prefixed("layers.\(i).linear", linear.namedParameters())
            if !norms.isEmpty { out += prefixed("layers.\(i).norm", norms[i].namedParameters()) }
        }
        return out + prefixed("head", head.namedParameters())
    }

    func namedBuffers() -> [(String, Parameter)] {
        norms.enumerated().flatMap { i, n in prefixed("layers.\(i).norm", n.namedBuffers()) }
    }

    func setTraining(_ training: Bool) {
        isTraining = training
        for n in norms { n.setTraining(training) }
    }
}
