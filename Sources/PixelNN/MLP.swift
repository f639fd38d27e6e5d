import PixelTensor

/// A multilayer perceptron: for each hidden size, `Linear → [BatchNorm1d] → activation → [Dropout]`.
///
/// Input `[N, inputSize]` (or `[…, inputSize]` without batch norm), output `[…, hiddenSizes.last]`.
/// Parameter names: `layers.<i>.linear.weight`, `layers.<i>.norm.weight`, ….
public final class MLP: Layer {
    public struct Block {
        public let linear: Linear
        public let norm: BatchNorm1d?
        public let dropout: Dropout?
    }

    public let blocks: [Block]
    public let activation: Activation

    /// - Parameters:
    ///   - hiddenSizes: output width of each block (`[512, 256, 128]`).
    ///   - batchNorm: insert `BatchNorm1d` after each linear layer.
    ///   - dropout: dropout probability after each activation (0: none).
    ///   - seed: initializes every block (block `i` uses a seed derived from `seed` and `i`).
    public init(
        inputSize: Int, hiddenSizes: [Int], activation: Activation = .relu, batchNorm: Bool = false,
        dropout: Float = 0, initializer: Initializer = .kaimingUniform(a: Float(5).squareRoot()), seed: UInt64
    ) {
        var blocks: [Block] = []
        var width = inputSize
        for (i, size) in hiddenSizes.enumerated() {
            let s = seed &+ UInt64(i) &* 0x9E37_79B9
            blocks.append(
                Block(
                    linear: Linear(inputSize: width, outputSize: size, initializer: initializer, seed: s),
                    norm: batchNorm ? BatchNorm1d(features: size) : nil,
                    dropout: dropout > 0 ? Dropout(probability: dropout, seed: s &+ 1) : nil))
            width = size
        }
        self.blocks = blocks
        self.activation = activation
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        var h = x
        for block in blocks {
            h = block.linear(h)
            if let norm = block.norm { h = norm(h) }
            h = activation(h)
            if let dropout = block.dropout { h = dropout(h) }
        }
        return h
    }

    public func namedParameters() -> [(String, Parameter)] {
        blocks.enumerated().flatMap { i, b in
            prefixed("layers.\(i).linear", b.linear.namedParameters())
                + (b.norm.map { prefixed("layers.\(i).norm", $0.namedParameters()) } ?? [])
        }
    }

    public func namedBuffers() -> [(String, Parameter)] {
        blocks.enumerated().flatMap { i, b in b.norm.map { prefixed("layers.\(i).norm", $0.namedBuffers()) } ?? [] }
    }

    public func setTraining(_ training: Bool) {
        for b in blocks {
            b.norm?.setTraining(training)
            b.dropout?.setTraining(training)
        }
    }
}
