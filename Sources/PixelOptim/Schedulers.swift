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

/// Linear warmup then cosine decay (the `get_cosine_schedule_with_warmup` shape, with a floor):
/// `η_s = η₀ · s / w` for `s < w`, then `η_min + (η₀ - η_min) · ½(1 + cos(π · (s - w)/(T - w)))`,
/// and `η_min` after `T`.
public struct CosineSchedule: Sendable, Equatable {
    public let base: Float
    public let warmupSteps: Int
    public let totalSteps: Int
    public let minimum: Float

    public init(base: Float, warmupSteps: Int = 0, totalSteps: Int, minimum: Float = 0) {
        precondition(totalSteps > warmupSteps && warmupSteps >= 0, "CosineSchedule: need totalSteps > warmupSteps ≥ 0")
        self.base = base
        self.warmupSteps = warmupSteps
        self.totalSteps = totalSteps
        self.minimum = minimum
    }

    public func learningRate(atStep step: Int) -> Float {
        if step < warmupSteps { return base * Float(step) / Float(warmupSteps) }
        let progress = min(1, Double(step - warmupSteps) / Double(totalSteps - warmupSteps))
        return minimum + (base - minimum) * Float(0.5 * (1 + cos(Double.pi * progress)))
    }
}

/// Reduce the learning rate when a metric stops improving (PyTorch `ReduceLROnPlateau`, relative
/// threshold): after more than `patience` epochs without `metric < best·(1 - threshold)` (mode `min`;
/// `> best·(1 + threshold)` for `max`), `η ← max(η·factor, minimum)`, then `cooldown` epochs of rest.
public struct ReduceOnPlateau: Sendable, Equatable {
    public enum Mode: Sendable, Equatable { case min, max }

    public let mode: Mode
    public let factor: Float
    public let patience: Int
    public let threshold: Float
    public let cooldown: Int
    public let minimum: Float
    public private(set) var best: Float
    public private(set) var badEpochs = 0
    public private(set) var cooldownLeft = 0

    public init(
        mode: Mode = .min, factor: Float = 0.1, patience: Int = 10, threshold: Float = 1e-4, cooldown: Int = 0,
        minimum: Float = 0
    ) {
        precondition(factor < 1, "ReduceOnPlateau: factor must be < 1")
        self.mode = mode
        self.factor = factor
        self.patience = patience
        self.threshold = threshold
        self.cooldown = cooldown
        self.minimum = minimum
        best = mode == .min ? .infinity : -.infinity
    }

    /// Records one epoch's `metric` and returns the learning rate to use from now on.
    public mutating func step(metric: Float, learningRate: Float) -> Float {
        let better = mode == .min ? metric < best * (1 - threshold) : metric > best * (1 + threshold)
        if better {
            best = metric
            badEpochs = 0
        } else {
            badEpochs += 1
        }
        if cooldownLeft > 0 {
            cooldownLeft -= 1
            badEpochs = 0
        }
        guard badEpochs > patience else { return learningRate }
        cooldownLeft = cooldown
        badEpochs = 0
        let reduced = max(learningRate * factor, minimum)
        return learningRate - reduced > 1e-8 ? reduced : learningRate
    }
}
