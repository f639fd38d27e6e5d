#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Step decay (PyTorch `StepLR`): `η_e = η₀ · γ^⌊e / stepSize⌋` at epoch `e`.
public struct StepSchedule: Sendable, Equatable {
    public let base: Float
    public let stepSize: Int
    public let gamma: Float

    public init(base: Float, stepSize: Int, gamma: Float = 0.1) {
        precondition(stepSize > 0, "StepSchedule: stepSize must be positive")
        self.base = base
        self.stepSize = stepSize
        self.gamma = gamma
    }

    public func learningRate(atEpoch epoch: Int) -> Float { base * powf(gamma, Float(epoch / stepSize)) }
}
