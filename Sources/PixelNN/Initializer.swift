import PixelTensor

/// Weight initialization schemes; `fanIn`/`fanOut` are a `[out, in]` weight's `in`/`out`.
public enum Initializer: Sendable, Equatable {
    /// `U(-a, a)`, `a = gain·√(6 / (fanIn + fanOut))` (Glorot).
    case xavierUniform(gain: Float = 1)
    /// `N(0, σ²)`, `σ = gain·√(2 / (fanIn + fanOut))`.
    case xavierNormal(gain: Float = 1)
    /// `U(-b, b)`, `b = √(6 / ((1 + a²)·fanIn))` (He); `a = √5` is PyTorch's `Linear` default.
    case kaimingUniform(a: Float = 0)
    /// `N(0, σ²)`, `σ = √(2 / fanIn)`.
    case kaimingNormal
    /// `N(0, std²)`.
    case normal(std: Float)
    /// `U(low, high)`.
    case uniform(low: Float, high: Float)
    /// All zeros.
    case zeros

    /// A tensor of `shape` (`[out, in, …]`) drawn with `generator`.
    public func make(shape: [Int], generator: inout RandomGenerator) -> Tensor {
        let fanOut = shape.first ?? 1
        let fanIn = shape.count > 1 ? shape.dropFirst().reduce(1, *) : fanOut
        switch self {
        case .xavierUniform(let gain):
            let a = gain * (6 / Float(fanIn + fanOut)).squareRoot()
            return .randomUniform(shape: shape, low: -a, high: a, generator: &generator)
        case .xavierNormal(let gain):
            return .randomNormal(
                shape: shape, std: gain * (2 / Float(fanIn + fanOut)).squareRoot(), generator: &generator)
        case .kaimingUniform(let a):
            let bound = (6 / ((1 + a * a) * Float(fanIn))).squareRoot()
            return .randomUniform(shape: shape, low: -bound, high: bound, generator: &generator)
        case .kaimingNormal:
            return .randomNormal(shape: shape, std: (2 / Float(fanIn)).squareRoot(), generator: &generator)
        case .normal(let std):
            return .randomNormal(shape: shape, std: std, generator: &generator)
        case .uniform(let low, let high):
            return .randomUniform(shape: shape, low: low, high: high, generator: &generator)
        case .zeros:
            return Tensor(zeros: shape)
        }
    }
}
