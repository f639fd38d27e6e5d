import PixelTensor

/// Layer normalization over the last axis: `(x - μ)/√(σ² + ε) · weight + bias`.
public final class LayerNorm: Layer {
    public let weight: Parameter
    public let bias: Parameter
    public let epsilon: Float

    public init(dimension: Int, epsilon: Float = 1e-5) {
        weight = Parameter(Tensor(repeating: 1, shape: [dimension]))
        bias = Parameter(Tensor(zeros: [dimension]))
        self.epsilon = epsilon
    }

    /// A layer with the given affine values (imported weights), both `[dimension]`.
    public init(weight: Tensor, bias: Tensor, epsilon: Float) {
        precondition(
            weight.rank == 1 && bias.shape == weight.shape, "LayerNorm: weight \(weight.shape), bias \(bias.shape)")
        self.weight = Parameter(weight)
        self.bias = Parameter(bias)
        self.epsilon = epsilon
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        layerNorm(x, weight: weight.value, bias: bias.value, epsilon: epsilon)
    }

    public func namedParameters() -> [(String, Parameter)] { [("weight", weight), ("bias", bias)] }
}
