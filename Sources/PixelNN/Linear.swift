import PixelTensor

/// Fully connected layer: `y = x · Wᵀ + b`, `W` of shape `[outputSize, inputSize]` (PyTorch layout),
/// `x` of shape `[…, inputSize]`, `y` of shape `[…, outputSize]`.
public final class Linear: Layer {
    public let weight: Parameter
    public let bias: Parameter?

    /// - Parameters:
    ///   - initializer: weight scheme; the default matches PyTorch (`kaimingUniform(a: √5)`).
    ///   - seed: fixes the initial weights; the bias is `U(-1/√in, 1/√in)` as PyTorch.
    public init(
        inputSize: Int, outputSize: Int, bias: Bool = true,
        initializer: Initializer = .kaimingUniform(a: Float(5).squareRoot()), seed: UInt64
    ) {
        var generator = RandomGenerator(seed: seed)
        weight = Parameter(initializer.make(shape: [outputSize, inputSize], generator: &generator))
        let bound = 1 / Float(inputSize).squareRoot()
        self.bias =
            bias
            ? Parameter(.randomUniform(shape: [outputSize], low: -bound, high: bound, generator: &generator)) : nil
    }

    /// A layer with the given values (imported weights): `weight` `[outputSize, inputSize]`, `bias` `[outputSize]`.
    public init(weight: Tensor, bias: Tensor?) {
        precondition(weight.rank == 2, "Linear: weight must be [out, in], got \(weight.shape)")
        precondition(
            bias == nil || bias?.shape == [weight.shape[0]], "Linear: bias \(bias?.shape ?? []) for \(weight.shape)")
        self.weight = Parameter(weight)
        self.bias = bias.map { Parameter($0) }
    }

    public var inputSize: Int { weight.shape[1] }
    public var outputSize: Int { weight.shape[0] }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        linear(x, weight: weight.value, bias: bias?.value)
    }

    public func namedParameters() -> [(String, Parameter)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }
}
