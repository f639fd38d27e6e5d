import Foundation
import PixelConfig
import PixelData
import PixelEval
import PixelOptim
import PixelTensor

@testable import PixelModels

/// An independent, minimal re-implementation of the 1-thread training loop as it was before data
/// parallelism: per epoch, the seeded positive order and negatives, then per batch
/// `loss(...)` → `gradients()` (the single-replica step, no shards) → clipping → optimizer step, then
/// full-ranking validation. No checkpoints, logs or schedules beyond the configured learning-rate rule.
///
/// It is the oracle of the trainer's bit-exactness tests: computed in the same process as the trainer,
/// so both run the same OpenBLAS kernels and the comparison holds on every CPU.
enum ReferenceLoop {
    struct Outcome {
        var losses: [Double]
        var ndcg: [Double]
        var weights: UInt64
    }

    static func run(_ inputs: Trainer.Inputs) throws -> Outcome {
        let t = inputs.training, hyper = inputs.hyperparameters
        BLAS.setThreadCount(1)
        let evalData = try inputs.validation.map { try EvaluationData(train: inputs.train, validation: nil, test: $0) }
        let catalog = evalData?.itemIds ?? inputs.train.itemIds
        let content = inputs.content
        precondition(content.count == catalog.count)
        let seed = UInt64(truncatingIfNeeded: t.seed)
        let model = PretrainedMultimodalRecommender.make(hyper)
        let optimizer = Trainer.makeOptimizer(t, parameters: model.namedParameters())
        let ratio = inputs.sampling.ratio
        let dataset = try TrainingDataset(
            train: inputs.train,
            options: DatasetOptions(
                negativeRatio: ratio, sampling: inputs.sampling.strategy,
                batchSize: t.batchSize, shuffle: false, seed: seed))
        let settings = LossSettings(
            loss: t.loss, recommendationWeight: Float(t.bceWeight),
            contrastiveWeight: hyper.useContrastive ? Float(t.contrastiveWeight) : 0)
        let steps = (dataset.users.count + t.batchSize - 1) / t.batchSize
        let itemIds = (0..<Int32(catalog.count)).map { $0 < Int32(hyper.itemCount) ? $0 : -1 }
        let validation = try evalData.map { try TaskSetup(task: .retrieval, data: $0) }
        let higherIsBetter = t.earlyStoppingMetric.higherIsBetter
        var plateau = ReduceOnPlateau(
            mode: higherIsBetter ? .max : .min, factor: Float(t.lrSchedulerFactor), patience: t.lrSchedulerPatience,
            minimum: Float(t.lrSchedulerMinLR))
        var plateauRate = Float(t.learningRate)
        var outcome = Outcome(losses: [], ndcg: [], weights: 0)
        for epoch in 1...t.epochs {
            model.startEpoch(epoch)
            model.setTraining(true)
            let rows = dataset.epochRows(epoch)
            var order = Array(0..<dataset.users.count)
            var rng = RandomGenerator(seed: mixSeed(seed, UInt64(epoch) &* 31 &+ 7))
            for k in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(k, rng.nextInt(below: k + 1)) }
            var sum = 0.0
            for step in 0..<steps {
                var users: [Int32] = [], positives: [Int32] = [], negatives: [Int32] = []
                for k in (step * t.batchSize)..<min(order.count, (step + 1) * t.batchSize) {
                    let base = order[k] * (1 + ratio)
                    users.append(rows.users[base])
                    positives.append(rows.items[base])
                    for j in 1...ratio { negatives.append(rows.items[base + j]) }
                }
                optimizer.learningRate = Trainer.learningRate(
                    t, epoch: epoch, stepInEpoch: step, stepsPerEpoch: steps, plateauRate: plateauRate)
                let examples = TrainingExamples(users: users, positives: positives, negatives: negatives, ratio: ratio)
                let parts = model.loss(examples, content: content, settings: settings)
                var gradients = parts.total.gradients()
                if t.gradientClip > 0 { clipGradientNorm(&gradients, maxNorm: Float(t.gradientClip)) }
                Autograd.withoutRecording { optimizer.step(gradients) }
                sum += Double(parts.total.scalar)
            }
            outcome.losses.append(sum / Double(steps))
            if let validation {
                let metrics = try Trainer.validate(
                    model: model, content: content, itemIds: itemIds, setup: validation, ks: [5, 10, 20], workers: 1)
                outcome.ndcg.append(metrics["ndcg@10"] ?? -1)
                if t.useLRScheduler && t.lrSchedulerType == .reduceOnPlateau && epoch > t.warmupEpochs,
                    let m = metrics[t.earlyStoppingMetric.description]
                {
                    plateauRate = plateau.step(metric: Float(m), learningRate: plateauRate)
                }
            }
        }
        outcome.weights = weightsFingerprint(model.stateDict())
        return outcome
    }
}
