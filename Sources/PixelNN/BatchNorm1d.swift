import PixelTensor

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

    /// Where training-mode passes record their running-statistics updates instead of writing the
    /// buffers (data-parallel shards; see ``BatchStatistics``). `nil`: update the buffers.
    @TaskLocal public static var statisticsCollector: BatchStatistics?

    public func callAsFunction(_ x: Tensor) -> Tensor {
        let collector = isTraining ? Self.statisticsCollector : nil
        var (mean, variance) =
            collector?.current(self)
            ?? (runningMean.value.detached(), runningVariance.value.detached())
        let y = batchNorm(
            x, weight: weight.value, bias: bias.value, runningMean: &mean, runningVariance: &variance,
            training: isTraining, momentum: momentum, epsilon: epsilon)
        if let collector {
            collector.record(self, mean: mean, variance: variance)
        } else if isTraining {
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
