import PixelTensor

/// Running-statistics updates of the ``BatchNorm1d`` layers run by one data-parallel shard.
///
/// Shards of a step run concurrently over the same layers, so they must not write the running
/// buffers themselves: while a collector is bound to ``BatchNorm1d/statisticsCollector`` (a task-local,
/// so per thread), a training-mode forward pass records each layer's updated running mean and variance
/// here instead. ``applyAveraged(_:)`` then sets every layer's buffers to the mean of its shards'
/// updates, in shard order (deterministic). With equal shards that equals the full-batch update of the
/// running mean (up to rounding); the running variance misses the between-shard spread of the means —
/// as PyTorch DistributedDataParallel without SyncBatchNorm. Normalization itself uses each shard's batch
/// statistics.
public final class BatchStatistics: @unchecked Sendable {
    struct Update {
        let layer: BatchNorm1d
        let mean: Tensor
        let variance: Tensor
    }

    /// Updates in the order the layers ran.
    var updates: [Update] = []

    public init() {}

    /// Number of recorded layer updates.
    public var count: Int { updates.count }

    /// The layer's running statistics as this shard left them (its last update, else the buffers).
    func current(_ layer: BatchNorm1d) -> (mean: Tensor, variance: Tensor) {
        if let u = updates.first(where: { $0.layer === layer }) { return (u.mean, u.variance) }
        return (layer.runningMean.value.detached(), layer.runningVariance.value.detached())
    }

    /// The recorded statistics, in the order the layers ran (what a shard on another MPI rank sends).
    public var recordedValues: [(mean: Tensor, variance: Tensor)] { updates.map { ($0.mean, $0.variance) } }

    /// A collector with this one's layers and `values` (a remote shard's ``recordedValues``), or `nil`
    /// when the counts or shapes differ.
    public func replacingValues(_ values: [(mean: Tensor, variance: Tensor)]) -> BatchStatistics? {
        guard values.count == updates.count else { return nil }
        let other = BatchStatistics()
        for (update, value) in zip(updates, values) {
            guard value.mean.shape == update.mean.shape, value.variance.shape == update.variance.shape else {
                return nil
            }
            other.updates.append(Update(layer: update.layer, mean: value.mean, variance: value.variance))
        }
        return other
    }

    /// Records the layer's updated statistics (a layer run twice keeps its latest, chained update).
    func record(_ layer: BatchNorm1d, mean: Tensor, variance: Tensor) {
        let update = Update(layer: layer, mean: mean, variance: variance)
        if let k = updates.firstIndex(where: { $0.layer === layer }) {
            updates[k] = update
        } else {
            updates.append(update)
        }
    }

    /// Sets each recorded layer's running statistics to the mean, over `shards` (in order), of the
    /// shards' updated values. Every shard must have run the same layers (they run the same model).
    public static func applyAveraged(_ shards: [BatchStatistics]) {
        guard let first = shards.first else { return }
        for (k, update) in first.updates.enumerated() {
            var mean = update.mean, variance = update.variance
            for shard in shards.dropFirst() {
                precondition(
                    shard.updates.count == first.updates.count && shard.updates[k].layer === update.layer,
                    "BatchStatistics: shards ran different layers")
                mean.addInPlace(shard.updates[k].mean)
                variance.addInPlace(shard.updates[k].variance)
            }
            let scale = 1 / Float(shards.count)
            mean.scaleInPlace(by: scale)
            variance.scaleInPlace(by: scale)
            update.layer.runningMean.value = mean
            update.layer.runningVariance.value = variance
        }
    }
}
