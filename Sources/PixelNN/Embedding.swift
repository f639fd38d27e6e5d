import PixelTensor

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
