import PixelCluster
import PixelConfig
import PixelData
import PixelTensor

/// Where a run's training examples come from: (user, positive, negatives) rows for the ID user encoder,
/// time-ordered windows of each user's history for sequence models. An epoch visits every example once,
/// in a seeded order that is a function of `(seed, epoch)` only.
enum TrainingPlan {
    /// Positive-major groups of `1 + ratio` rows (the positive, then its negatives), redrawn each epoch.
    case pairs(TrainingDataset, ratio: Int, seed: UInt64)
    /// Windows of `max_seq_len + 1` interactions; every position predicts the next item.
    case sequences(SequenceTraining)

    /// One step's examples, assembled.
    enum Batch {
        case pairs(TrainingExamples)
        case sequences(SequenceBatch, SequenceCandidates)
    }

    /// What an epoch draws up front: its example order (and, for pairs, its negatives).
    struct Epoch {
        let number: Int
        let order: [Int]
        let rows: PixelData.Batch?
    }

    init(
        train: InteractionTable, hyperparameters hyper: ModelHyperparameters, training t: TrainingConfig,
        sampling: Trainer.NegativeSampling, seed: UInt64
    ) throws {
        if let sequence = hyper.sequence {
            self = .sequences(
                SequenceTraining(
                    train: train, itemCount: hyper.itemCount, length: sequence.maxLength, training: t,
                    sampling: sampling, seed: seed))
        } else {
            let ratio = max(1, sampling.ratio)
            let dataset = try TrainingDataset(
                train: train,
                options: DatasetOptions(
                    negativeRatio: ratio, sampling: sampling.strategy,
                    batchSize: t.batchSize, shuffle: false, seed: seed))
            self = .pairs(dataset, ratio: ratio, seed: seed)
        }
    }

    /// Examples per epoch (positives, or windows).
    var count: Int {
        switch self {
        case .pairs(let dataset, _, _): return dataset.users.count
        case .sequences(let plan): return plan.windows.count
        }
    }

    /// Whether examples are sequences (the model has a sequence user encoder).
    var isSequential: Bool {
        if case .sequences = self { return true }
        return false
    }

    /// Sequence models: each training user's items (catalog rows), oldest first — their validation histories.
    func histories(users: Int) -> [ArraySlice<Int32>]? {
        if case .sequences(let plan) = self { return plan.histories(users: users) }
        return nil
    }

    /// The order (and negatives) of epoch `epoch` (1-based).
    func epoch(_ epoch: Int) -> Epoch {
        switch self {
        case .sequences(let plan):
            return Epoch(number: epoch, order: plan.order(epoch: epoch), rows: nil)
        case .pairs(let dataset, _, let seed):
            var order = Array(0..<dataset.users.count)
            var rng = RandomGenerator(seed: mixSeed(seed, UInt64(epoch) &* 31 &+ 7))
            for k in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(k, rng.nextInt(below: k + 1)) }
            return Epoch(number: epoch, order: order, rows: dataset.epochRows(epoch))
        }
    }

    /// The examples of step `step` (0-based) of `epoch`: positions `range` of its order.
    func batch(_ epoch: Epoch, step: Int, range: Range<Int>) -> Batch {
        switch self {
        case .sequences(let plan):
            let batch = plan.batch(epoch.order[range])
            return .sequences(batch, plan.candidates(epoch: epoch.number, step: step, batch: batch))
        case .pairs(_, let ratio, _):
            let rows = epoch.rows!
            var users: [Int32] = [], positives: [Int32] = [], negatives: [Int32] = []
            users.reserveCapacity(range.count)
            for k in range {
                let base = epoch.order[k] * (1 + ratio)
                users.append(rows.users[base])
                positives.append(rows.items[base])
                for j in 1...ratio { negatives.append(rows.items[base + j]) }
            }
            return .pairs(TrainingExamples(users: users, positives: positives, negatives: negatives, ratio: ratio))
        }
    }
}

extension PretrainedMultimodalRecommender {
    /// The loss of one training step and its gradients, with `workers` threads: data-parallel shards for
    /// (user, item) rows and for sequence windows (``sequenceLossAndGradients(_:content:settings:candidates:workers:)``,
    /// whose single shard runs its large products on `workers` BLAS threads).
    ///
    /// On several MPI ranks (`placement`) both kinds of step split their shards over the ranks.
    func lossAndGradients(
        _ batch: TrainingPlan.Batch, content: ItemContent, settings: LossSettings, placement: ShardPlacement
    ) throws(ClusterError) -> (LossParts, Gradients) {
        let workers = placement.workers
        switch batch {
        case .pairs(let examples):
            return try lossAndGradients(examples, content: content, settings: settings, placement: placement)
        case .sequences(let batch, let candidates):
            BLAS.setThreadCount(workers)
            defer { BLAS.setThreadCount(1) }
            return try sequenceLossAndGradients(
                batch, content: content, settings: settings, candidates: candidates, placement: placement)
        }
    }
}
