import Foundation
import PixelConfig
import PixelOptim

/// Everything a run carries from epoch to epoch and a checkpoint saves: the history of epoch records,
/// the best validation value and epoch, the step count, and the plateau scheduler.
///
/// The plateau scheduler is not stored: ``init(resuming:training:stopping:)`` rebuilds it by replaying
/// the recorded validation metrics, which gives the same state as the uninterrupted run.
struct TrainingState {
    /// Epochs completed (the next epoch is `epoch + 1`).
    var epoch = 0
    var globalStep = 0
    var history: [EpochRecord] = []
    var bestMetric: Double? = nil
    /// 0 = none yet.
    var bestEpoch = 0
    /// Seconds since 1970 at the start of the first invocation (TensorBoard wall times).
    var runStarted = Date().timeIntervalSince1970
    /// `reduce_on_plateau`'s memory and its current rate `η_p`.
    var plateau: ReduceOnPlateau
    var plateauRate: Float
    /// Whether the run stopped early.
    var stoppedEarly = false

    /// A fresh run.
    init(training t: TrainingConfig) {
        plateau = ReduceOnPlateau(
            mode: t.earlyStoppingMetric.higherIsBetter ? .max : .min, factor: Float(t.lrSchedulerFactor),
            patience: t.lrSchedulerPatience, minimum: Float(t.lrSchedulerMinLR))
        plateauRate = Float(t.learningRate)
    }

    /// The state of a run saved as `header`.
    init(resuming header: CheckpointHeader, training t: TrainingConfig, stopping: EarlyStopping) {
        self.init(training: t)
        history = header.history
        bestMetric = header.bestMetric
        bestEpoch = header.bestEpoch
        epoch = header.epoch
        globalStep = header.globalStep
        runStarted = header.runStarted
        for record in history { observePlateau(record, training: t, stopping: stopping) }
    }

    /// Feeds an epoch's validation metric to `reduce_on_plateau` (after the warm-up epochs).
    mutating func observePlateau(_ record: EpochRecord, training t: TrainingConfig, stopping: EarlyStopping) {
        guard t.useLRScheduler, t.lrSchedulerType == .reduceOnPlateau, record.epoch > t.warmupEpochs,
            let m = record.validation[stopping.metricName]
        else { return }
        plateauRate = plateau.step(metric: Float(m), learningRate: plateauRate)
    }

    /// Appends a finished epoch; returns whether it is the new best (always, without validation).
    mutating func record(_ record: EpochRecord, training t: TrainingConfig, stopping: EarlyStopping) -> Bool {
        history.append(record)
        epoch = record.epoch
        var improved = false
        if let m = record.validation[stopping.metricName] {
            if stopping.isImprovement(m, over: bestMetric) {
                bestMetric = m
                bestEpoch = record.epoch
                improved = true
            }
            observePlateau(record, training: t, stopping: stopping)
        } else if !stopping.validates {
            bestEpoch = record.epoch
            improved = true
        }
        stoppedEarly = stopping.shouldStop(history, bestEpoch: bestEpoch)
        return improved
    }
}
