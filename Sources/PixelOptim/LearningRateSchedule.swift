/// Linear warm-up over the first `steps` optimizer steps: the rate is multiplied by `(s + 1) / W` at
/// step `s < W` (so the first step already moves) and by 1 from step `W` on.
public struct LinearWarmup: Sendable, Equatable {
    /// `W`, the steps of warm-up; 0 = none.
    public let steps: Int

    public init(steps: Int) {
        precondition(steps >= 0, "LinearWarmup: steps must be ≥ 0")
        self.steps = steps
    }

    /// The factor of step `s` (0-based, counted over the whole run).
    public func factor(atStep s: Int) -> Float { steps > 0 && s < steps ? Float(s + 1) / Float(steps) : 1 }
}

/// The learning rate of every step of a run: a base rate `η₀`, a decay and a linear warm-up.
///
/// Steps are counted over the run: step `s = (e - 1)·S + i` is the `i`-th step (0-based) of epoch `e`
/// (1-based) with `S` steps per epoch. The decays:
/// - `constant`: `η = η₀ · w(s)`;
/// - `cosine`: ``CosineSchedule`` over `T = epochs · S` steps, whose own warm-up is the same `W` steps;
/// - `step`: `η = max(η_min, η₀ · γ^⌊e' / k⌋) · w(s)` with `e' = max(0, e - 1 - warm-up epochs)`;
/// - `plateau`: `η = η_p · w(s)`, where `η_p` is the rate ``ReduceOnPlateau`` keeps (the caller's).
public struct LearningRateSchedule: Sendable, Equatable {
    public enum Decay: Sendable, Equatable {
        case constant
        case cosine(CosineSchedule)
        case step(StepSchedule, minimum: Float, warmupEpochs: Int)
        case plateau
    }

    public let base: Float
    public let stepsPerEpoch: Int
    public let warmup: LinearWarmup
    public let decay: Decay

    public init(base: Float, stepsPerEpoch: Int, warmup: LinearWarmup, decay: Decay) {
        precondition(stepsPerEpoch > 0, "LearningRateSchedule: stepsPerEpoch must be positive")
        self.base = base
        self.stepsPerEpoch = stepsPerEpoch
        self.warmup = warmup
        self.decay = decay
    }

    /// The rate of step `stepInEpoch` (0-based) of `epoch` (1-based); `plateauRate` is `η_p`.
    public func rate(epoch: Int, stepInEpoch: Int, plateauRate: Float) -> Float {
        let step = (epoch - 1) * stepsPerEpoch + stepInEpoch
        let warm = warmup.factor(atStep: step)
        switch decay {
        case .constant:
            return base * warm
        case .cosine(let schedule):
            return schedule.learningRate(atStep: step)
        case .step(let schedule, let minimum, let warmupEpochs):
            return max(minimum, schedule.learningRate(atEpoch: max(0, epoch - 1 - warmupEpochs))) * warm
        case .plateau:
            return plateauRate * warm
        }
    }
}
