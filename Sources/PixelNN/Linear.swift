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
        self.bias = bias
            ? Parameter(.randomUniform(shape: [outputSize], low: -bound, high: bound, generator: &generator)) : nil
    }

    public var inputSize: Int { weight.shape[1] }
    public var outputSize: Int { weight.shape[0] }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        let y = matmul(x, weight.value, transposeB: true)
        guard let bias else { return y }
        return y + bias.value
    }

    public func namedParameters() -> [(String, Parameter)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }
}

/// Lookup table `[count, dimension]`; ids `[…]` give `[…, dimension]`. Gradients are sparse rows
/// (only the rows looked up), which optimizers apply lazily.
public final class Embedding: Layer {
    public let weight: Parameter

    /// - Parameter initializer: default `N(0, 1)` as PyTorch.
    public init(count: Int, dimension: Int, initializer: Initializer = .normal(std: 1), seed: UInt64) {
        var generator = RandomGenerator(seed: seed)
        weight = Parameter(initializer.make(shape: [count, dimension], generator: &generator))
    }

    public func callAsFunction(_ ids: IndexTensor) -> Tensor { embedding(weight.value, ids: ids) }
    public func namedParameters() -> [(String, Parameter)] { [("weight", weight)] }
}

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

    public func callAsFunction(_ x: Tensor) -> Tensor {
        layerNorm(x, weight: weight.value, bias: bias.value, epsilon: epsilon)
    }

    public func namedParameters() -> [(String, Parameter)] { [("weight", weight), ("bias", bias)] }
}

/// Batch normalization of `[N, C]`: batch statistics in training (updating running statistics with
/// `momentum`), running statistics in evaluation.
public final class BatchNorm1d: Layer {
    public let weight: Parameter
    public let bias: Parameter
    public let runningMean: Parameter
    public let runningVariance: Parameter
    public let momentum: Float
    public let epsilon: Float
    public private(set) var isTraining = true

    public init(features: Int, momentum: Float = 0.1, epsilon: Float = 1e-5) {
        weight = Parameter(Tensor(repeating: 1, shape: [features]))
        bias = Parameter(Tensor(zeros: [features]))
        runningMean = Parameter(Tensor(zeros: [features]))
        runningVariance = Parameter(Tensor(repeating: 1, shape: [features]))
        self.momentum = momentum
        self.epsilon = epsilon
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        var mean = runningMean.value.detached(), variance = runningVariance.value.detached()
        let y = batchNorm(
            x, weight: weight.value, bias: bias.value, runningMean: &mean, runningVariance: &variance,
            training: isTraining, momentum: momentum, epsilon: epsilon)
        if isTraining {
            runningMean.value = mean
            runningVariance.value = variance
        }
        return y
    }

    public func namedParameters() -> [(String, Parameter)] { [("weight", weight), ("bias", bias)] }
    public func namedBuffers() -> [(String, Parameter)] {
        [("running_mean", runningMean), ("running_var", runningVariance)]
    }
    public func setTraining(_ training: Bool) { isTraining = training }
}

/// Inverted dropout with its own seeded generator; the identity in evaluation.
public final class Dropout: Layer {
    public let probability: Float
    public private(set) var isTraining = true
    private var generator: RandomGenerator

    public init(probability: Float, seed: UInt64) {
        precondition(probability >= 0 && probability < 1, "Dropout: probability \(probability) not in [0, 1)")
        self.probability = probability
        generator = RandomGenerator(seed: seed)
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        guard isTraining, probability > 0 else { return x }
        return dropout(x, probability: probability, generator: &generator)
    }

    public func namedParameters() -> [(String, Parameter)] { [] }
    public func setTraining(_ training: Bool) { isTraining = training }
}
