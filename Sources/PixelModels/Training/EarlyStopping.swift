import PixelConfig

/// The early-stopping rule: the epoch with the best validation `metric` is the run's best, and the run
/// stops once `patience` validations in a row (after the best one) have not beaten it; `patience` 0
/// never stops early. Without validation every epoch counts as the best (the last one is kept).
struct EarlyStopping: Sendable {
    /// The metric's name in ``EpochRecord/validation`` (`ndcg@10`, `val_loss`, …).
    let metricName: String
    let higherIsBetter: Bool
    let patience: Int
    /// Whether the run validates at all.
    let validates: Bool

    init(_ t: TrainingConfig, validates: Bool) {
        metricName = t.earlyStoppingMetric.description
        higherIsBetter = t.earlyStoppingMetric.higherIsBetter
        patience = t.patience
        self.validates = validates
    }

    /// Whether `metric` beats `best` strictly (any value beats no value).
    func isImprovement(_ metric: Double, over best: Double?) -> Bool {
        guard let best else { return true }
        return higherIsBetter ? metric > best : metric < best
    }

    /// Validations recorded after the best epoch.
    func validationsSinceBest(_ history: [EpochRecord], bestEpoch: Int) -> Int {
        history.filter { $0.epoch > bestEpoch && $0.validation[metricName] != nil }.count
    }

    /// Whether a run with this history must stop.
    func shouldStop(_ history: [EpochRecord], bestEpoch: Int) -> Bool {
        validates && patience > 0 && validationsSinceBest(history, bestEpoch: bestEpoch) >= patience
    }
}
