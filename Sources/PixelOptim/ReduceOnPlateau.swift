#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

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
