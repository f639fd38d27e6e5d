import PixelONNX
import PixelTensor

/// One transformer block found in an ONNX graph: the values at its boundaries and the constants of its
/// layers (weights already in PyTorch layout, every shape checked against the block's width).
public struct TransformerBlockPattern: Sendable {
    /// One `x·Wᵀ + b` layer: `weight` `[out, in]`, `bias` `[out]`.
    public struct LinearWeights: Sendable {
        public let node: String
        public let weight: Tensor
        public let bias: Tensor?
    }

    /// LayerNormalization over the last axis.
    public struct NormWeights: Sendable {
        public let node: String
        public let weight: Tensor
        public let bias: Tensor
        public let epsilon: Float
    }

    /// The value entering the block (`[B, T, E]` hidden states).
    public let input: String
    /// The value leaving the block.
    public let output: String
    public let query: LinearWeights
    public let key: LinearWeights
    public let value: LinearWeights
    public let attentionOutput: LinearWeights
    public let attentionNorm: NormWeights
    public let intermediate: LinearWeights
    public let feedForwardOutput: LinearWeights
    public let outputNorm: NormWeights
    public let heads: Int
    /// `E`.
    public var width: Int { query.weight.shape[0] }
}

/// Why a pattern did not match, at which node; turned into ``EncoderError/unsupportedGraph(path:node:pattern:)``.
struct PatternMismatch: Error {
    let node: String
    let pattern: String
}

/// Producer and consumer lookups over an ``ONNXGraph``, and the small matchers the block pattern is built of.
struct GraphIndex {
    let graph: ONNXGraph
    private var producerIndex: [String: Int] = [:]

    init(_ graph: ONNXGraph) {
        self.graph = graph
        for (i, n) in graph.nodes.enumerated() { for o in n.outputs where !o.isEmpty { producerIndex[o] = i } }
    }

    func producer(_ value: String) -> ONNXGraph.Node? { producerIndex[value].map { graph.nodes[$0] } }

    /// The node producing `value`, which must be of type `op` (default domain) with `inputs` inputs.
    func expect(_ value: String, _ op: String, inputs: Int? = nil, _ context: String) throws -> ONNXGraph.Node {
        guard let n = producer(value) else {
            throw PatternMismatch(node: value, pattern: "\(context): expected \(op), found a graph input or constant")
        }
        guard n.opType == op, n.domain.isEmpty, inputs.map({ $0 == n.inputs.count }) ?? true else {
            throw PatternMismatch(node: n.name, pattern: "\(context): expected \(op), found \(n.opType)")
        }
        return n
    }

    /// A float constant, or nil.
    func floats(_ value: String) -> ONNXValue? {
        guard let v = graph.constants[value], v.elementType == .float else { return nil }
        return v
    }

    /// A one-element float constant, or nil.
    func scalar(_ value: String) -> Float? {
        guard let v = floats(value), v.count == 1 else { return nil }
        return v.floats[0]
    }

    /// `MatMul(x, W) [+ b]` with constant `W` `[in, out]` and `b` `[out]` → (x, weights in `[out, in]`).
    func linear(producing value: String, inputSize: Int?, context: String) throws -> (
        input: String, weights: TransformerBlockPattern.LinearWeights
    ) {
        guard let n = producer(value) else {
            throw PatternMismatch(node: value, pattern: "\(context): expected MatMul (+ Add bias), found a graph input")
        }
        var matMulOutput = value
        var bias: ONNXValue?
        if n.opType == "Add", n.domain.isEmpty, n.inputs.count == 2 {
            if let b = floats(n.inputs[1]), producer(n.inputs[0])?.opType == "MatMul" {
                bias = b
                matMulOutput = n.inputs[0]
            } else if let b = floats(n.inputs[0]), producer(n.inputs[1])?.opType == "MatMul" {
                bias = b
                matMulOutput = n.inputs[1]
            }
        }
        let m = try expect(matMulOutput, "MatMul", inputs: 2, context + " (Linear: MatMul + Add with constant weights)")
        guard let w = floats(m.inputs[1]), w.shape.count == 2, w.shape[0] > 0, w.shape[1] > 0 else {
            throw PatternMismatch(
                node: m.name, pattern: "\(context): MatMul's second input is not a constant 2-D float weight")
        }
        let (inSize, outSize) = (w.shape[0], w.shape[1])
        if let inputSize, inSize != inputSize {
            throw PatternMismatch(
                node: m.name, pattern: "\(context): weight \(w.shape) does not take width \(inputSize)")
        }
        if let bias, bias.shape != [outSize] {
            throw PatternMismatch(node: n.name, pattern: "\(context): bias \(bias.shape) for weight \(w.shape)")
        }
        // [in, out] → [out, in].
        let source = w.floats
        var transposed = [Float](repeating: 0, count: source.count)
        for i in 0..<inSize { for o in 0..<outSize { transposed[o * inSize + i] = source[i * outSize + o] } }
        let weights = TransformerBlockPattern.LinearWeights(
            node: m.name, weight: Tensor(shape: [outSize, inSize], scalars: transposed),
            bias: bias.map { Tensor(shape: [outSize], scalars: $0.floats) })
        return (m.inputs[0], weights)
    }

    /// `LayerNormalization(x, γ, β)` over the last axis with constant `γ`, `β` of `width` → (x, weights).
    func layerNorm(producing value: String, width: Int?, context: String) throws -> (
        input: String, weights: TransformerBlockPattern.NormWeights
    ) {
        let n = try expect(value, "LayerNormalization", context)
        guard n.inputs.count == 3 else {
            throw PatternMismatch(node: n.name, pattern: "\(context): LayerNormalization without a bias input")
        }
        if let axis = n.attributes["axis"], axis != .int(-1) {
            throw PatternMismatch(node: n.name, pattern: "\(context): LayerNormalization over axis \(axis), not -1")
        }
        var epsilon: Float = 1e-5
        if case .float(let e)? = n.attributes["epsilon"] { epsilon = e }
        guard epsilon > 0, epsilon.isFinite else {
            throw PatternMismatch(node: n.name, pattern: "\(context): LayerNormalization epsilon \(epsilon)")
        }
        guard let g = floats(n.inputs[1]), let b = floats(n.inputs[2]), g.shape.count == 1, g.shape == b.shape,
            g.count > 0, width.map({ $0 == g.count }) ?? true
        else {
            throw PatternMismatch(
                node: n.name, pattern: "\(context): LayerNormalization weights are not constant [\(width ?? 0)] vectors"
            )
        }
        return (
            n.inputs[0],
            .init(
                node: n.name, weight: Tensor(shape: g.shape, scalars: g.floats),
                bias: Tensor(shape: b.shape, scalars: b.floats), epsilon: epsilon)
        )
    }

    /// The exact GELU `½·x·(1 + erf(x/√2))` in any of its exported arrangements → x.
    func erfGelu(producing value: String, context: String) throws -> String {
        // Flatten up to two levels of Mul into factors: {x, ½, 1 + erf(x/√2)}.
        func factors(_ v: String, depth: Int) -> [String] {
            guard depth > 0, let n = producer(v), n.opType == "Mul", n.domain.isEmpty, n.inputs.count == 2 else {
                return [v]
            }
            return factors(n.inputs[0], depth: depth - 1) + factors(n.inputs[1], depth: depth - 1)
        }
        let mismatch = PatternMismatch(
            node: producer(value)?.name ?? value,
            pattern: "\(context): expected the erf GELU ½·x·(1 + erf(x/√2)) (Div/Mul → Erf → Add → Mul → Mul)")
        let f = factors(value, depth: 2)
        guard f.count == 3, let half = f.firstIndex(where: { scalar($0) == 0.5 }) else { throw mismatch }
        let rest = f.indices.filter { $0 != half }.map { f[$0] }
        for (x, t) in [(rest[0], rest[1]), (rest[1], rest[0])] {
            guard let add = producer(t), add.opType == "Add", add.inputs.count == 2 else { continue }
            let erfValue: String
            if scalar(add.inputs[1]) == 1 {
                erfValue = add.inputs[0]
            } else if scalar(add.inputs[0]) == 1 {
                erfValue = add.inputs[1]
            } else {
                continue
            }
            guard let erf = producer(erfValue), erf.opType == "Erf", let scale = producer(erf.inputs[0]),
                scale.inputs.count == 2, scale.inputs[0] == x, let c = scalar(scale.inputs[1])
            else { continue }
            let ok =
                (scale.opType == "Div" && abs(c - Float(2).squareRoot()) < 1e-4)
                || (scale.opType == "Mul" && abs(c - 1 / Float(2).squareRoot()) < 1e-4)
            if ok { return x }
        }
        throw mismatch
    }
}
