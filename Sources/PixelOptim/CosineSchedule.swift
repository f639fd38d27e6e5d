#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

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
