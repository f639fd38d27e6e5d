import PixelTensor

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
