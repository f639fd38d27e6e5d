import Foundation
import PixelConfig
import PixelTensor
import Testing

@testable import PixelModels

/// `memoryInputs` with 64 items (so 2–3 shards of at least 16 candidates), its content and a fresh model.
private func shardSetup(_ config: PixelRecConfig) throws -> (
    inputs: Trainer.Inputs, content: ItemContent, plan: SequenceTraining, model: PretrainedMultimodalRecommender
) {
    let inputs = try memoryInputs(config: config, items: 64)
    let content = try memoryContent(inputs.train.itemIds, seed: 1)
    let h = try ModelHyperparameters(
        model: config.model, seed: 5, userCount: inputs.train.userIds.count, itemCount: inputs.train.itemIds.count,
        visionWidth: 12, textWidth: 10, numericWidth: 2)
    let plan = SequenceTraining(
        train: inputs.train, itemCount: h.itemCount, length: config.model.maxSeqLen, training: config.training, seed: 3)
    let model = PretrainedMultimodalRecommender.make(h)
    model.startEpoch(1)
    model.setTraining(true)
    return (inputs, content, plan, model)
}

@Suite("Sequence step: data-parallel shards")
struct SequenceShardTests {
    @Test(
        "sharded gradients equal the single-replica step's (no dropout, no batch norm)",
        arguments: ["catalog", "sampled", "bpr", "bce"], [UserEncoder.sequence, .hybrid])
    func shardedGradients(_ loss: String, _ encoder: UserEncoder) throws {
        var config = sequenceConfig(encoder)
        config.model.useBatchNorm = false
        config.model.useContrastive = true
        config.training.loss = loss == "bpr" ? .bpr : loss == "bce" ? .bce : .sampledSoftmax
        config.training.fullSoftmaxMaxItems = loss == "catalog" ? 1000 : 0
        config.training.sampledNegatives = 24
        let (_, content, plan, model) = try shardSetup(config)
        let batch = plan.batch(plan.order(epoch: 1).prefix(24))
        let candidates = plan.candidates(epoch: 1, step: 0, batch: batch)
        let settings = LossSettings(loss: config.training.loss, contrastiveWeight: 0.3)
        let (single, reference) = model.sequenceLossAndGradients(
            batch, content: content, settings: settings, candidates: candidates, workers: 1)
        // One worker is the plain step, bit for bit.
        let plain = model.sequenceLoss(batch, content: content, settings: settings, candidates: candidates)
        #expect(plain.total.scalar == single.total.scalar)
        let rows = model.sequenceStepRows(batch, settings: settings, candidates: candidates).rows.count
        for workers in [2, 3] {
            #expect(PretrainedMultimodalRecommender.shardCount(rows: rows, workers: workers) == workers, "\(rows) rows")
            let (sharded, gradients) = model.sequenceLossAndGradients(
                batch, content: content, settings: settings, candidates: candidates, workers: workers)
            #expect(
                abs(sharded.total.scalar - single.total.scalar) <= 1e-5 * abs(single.total.scalar),
                "W=\(workers): \(sharded.total.scalar) vs \(single.total.scalar)")
            #expect(gradients.count == reference.count, "W=\(workers): leaves with a gradient")
            // As DataParallelTests: float32 sums in another order; every entry within 1e-5 of its
            // parameter's largest gradient + 2e-6 of the model's largest.
            // (The user-ID table of `sequence` is unused: no gradient on either side.)
            let references = model.namedParameters().compactMap { name, p in reference[p].map { (name, $0.dense, p) } }
            let global = references.map { $0.1.scalars.map(abs).max() ?? 0 }.max() ?? 0
            for (name, a, p) in references {
                let g = try #require(gradients[p], "W=\(workers) \(name)").dense
                let scale = a.scalars.map(abs).max() ?? 0
                #expect(
                    a.isApproximatelyEqual(to: g, rtol: 0, atol: 1e-5 * scale + 2e-6 * global), "W=\(workers) \(name)")
            }
        }
    }

    @Test("2 workers with dropout and batch norm: two replicas give the same bits")
    func deterministic() throws {
        var config = sequenceConfig(.sequence, dropout: true)
        config.model.seqDropout = 0.2
        config.training.loss = .sampledSoftmax
        config.training.fullSoftmaxMaxItems = 0
        config.training.sampledNegatives = 24
        func run() throws -> (Float, [[Float]]) {
            let (_, content, plan, model) = try shardSetup(config)
            let batch = plan.batch(plan.order(epoch: 1).prefix(24))
            let (parts, gradients) = model.sequenceLossAndGradients(
                batch, content: content, settings: LossSettings(loss: .sampledSoftmax),
                candidates: plan.candidates(epoch: 1, step: 0, batch: batch), workers: 2)
            return (parts.total.scalar, model.namedParameters().map { gradients[$0.1]?.dense.scalars ?? [] })
        }
        let a = try run(), b = try run()
        #expect(a.0.bitPattern == b.0.bitPattern && a.1 == b.1)
        #expect(a.1.filter { !$0.isEmpty }.count >= 10, "the encoder's and the tower's parameters have gradients")
    }

    @Test("Trainer at 2 threads (sharded sequence steps): two runs and stop/resume are bit-identical")
    func trainerTwoThreads() throws {
        var config = sequenceConfig(.sequence, dropout: true)
        config.model.seqDropout = 0.2
        config.training.loss = .sampledSoftmax
        config.training.fullSoftmaxMaxItems = 0
        config.training.sampledNegatives = 16
        config.training.learningRate = 0.003
        let inputs = try memoryInputs(config: config, items: 64)
        let a = try temporaryDirectory(), b = try temporaryDirectory(), c = try temporaryDirectory()
        defer { for d in [a, b, c] { try? FileManager.default.removeItem(atPath: d) } }
        let first = try Trainer(inputs: inputs, options: .init(checkpointDirectory: a, threads: 2)).run()
        let second = try Trainer(inputs: inputs, options: .init(checkpointDirectory: b, threads: 2)).run()
        _ = try Trainer(inputs: inputs, options: .init(checkpointDirectory: c, threads: 2, stopAfterEpochs: 2)).run()
        let resumed = try Trainer(
            inputs: inputs, options: .init(checkpointDirectory: c, resume: c + "/last.ckpt", threads: 2)
        ).run()
        #expect(first.history.allSatisfy { $0.trainLoss.isFinite })
        for run in [second, resumed] {
            #expect(run.history.map { $0.trainLoss.bitPattern } == first.history.map { $0.trainLoss.bitPattern })
            #expect(run.history.map(\.validation) == first.history.map(\.validation))
        }
        let weights = try [a, b, c].map { weightsFingerprint(try Checkpoint.read(from: $0 + "/last.ckpt").tensors) }
        #expect(weights[0] == weights[1] && weights[0] == weights[2])
    }
}
