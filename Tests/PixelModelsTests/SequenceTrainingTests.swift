import Foundation
import PixelConfig
import PixelTensor
import Testing

@testable import PixelModels

/// Short sequence-model runs on `memoryInputs` (40 users × 8 ordered items, 30 items) at 1 thread, with
/// every dropout on (so the model's random stream is part of what must reproduce).
@Suite("Sequence model training (smoke)")
struct SequenceTrainingTests {
    /// `catalog`: exact softmax (30 items ≤ full_softmax_max_items); `sampled`: log-Q sampled softmax;
    /// `hybrid`: ID + sequence with BPR.
    static func config(_ variant: String, epochs: Int = 3) -> PixelRecConfig {
        var config = sequenceConfig(variant == "hybrid" ? .hybrid : .sequence, dropout: true, epochs: epochs)
        config.model.seqDropout = 0.2
        config.training.learningRate = 0.003
        switch variant {
        case "catalog": config.training.loss = .sampledSoftmax
        case "sampled":
            config.training.loss = .sampledSoftmax
            config.training.fullSoftmaxMaxItems = 0
            config.training.sampledNegatives = 16
        default: config.training.loss = .bpr
        }
        return config
    }

    @Test(
        "3 epochs: loss decreases, two runs are bit-identical, stop after 2 + resume equals the straight run",
        arguments: ["catalog", "sampled", "hybrid"])
    func deterministicAndResumable(_ variant: String) throws {
        let config = Self.config(variant)
        let inputs = try memoryInputs(config: config)
        let a = try temporaryDirectory(), b = try temporaryDirectory(), c = try temporaryDirectory()
        defer { for d in [a, b, c] { try? FileManager.default.removeItem(atPath: d) } }
        let first = try Trainer(inputs: inputs, options: .init(checkpointDirectory: a, threads: 1)).run()
        let second = try Trainer(inputs: inputs, options: .init(checkpointDirectory: b, threads: 1)).run()
        _ = try Trainer(inputs: inputs, options: .init(checkpointDirectory: c, threads: 1, stopAfterEpochs: 2)).run()
        let stopped = try Checkpoint.read(from: c + "/last.ckpt")
        #expect(stopped.header.epoch == 2 && !stopped.header.finished)
        let resumed = try Trainer(
            inputs: inputs, options: .init(checkpointDirectory: c, resume: c + "/last.ckpt", threads: 1)
        ).run()

        let losses = first.history.map(\.trainLoss)
        if ProcessInfo.processInfo.environment["PIXELTENSOR_REPORT_ERRORS"] != nil {
            print("\(variant): train loss \(losses), ndcg@10 \(first.history.map { $0.validation["ndcg@10"] ?? -1 })")
        }
        #expect(losses.count == 3 && losses.allSatisfy(\.isFinite))
        #expect(losses[2] < losses[0], "\(variant): train loss \(losses)")
        #expect(first.history.allSatisfy { $0.validation["ndcg@10"] != nil }, "validation ran every epoch")
        for run in [second, resumed] {
            #expect(run.history.map { $0.trainLoss.bitPattern } == losses.map(\.bitPattern))
            #expect(run.history.map(\.validation) == first.history.map(\.validation))
        }
        let checkpoints = try [a, b, c].map { try Checkpoint.read(from: $0 + "/last.ckpt") }
        #expect(checkpoints[0].tensors.keys.contains { $0.hasPrefix("sequence.blocks.1.attention.q_proj") })
        let weights = checkpoints.map { weightsFingerprint($0.tensors) }
        #expect(weights[0] == weights[1] && weights[0] == weights[2])
        #expect(checkpoints[0].optimizerState == checkpoints[2].optimizerState)
    }

    @Test("2 threads (BLAS threads in the softmax): two runs and stop/resume are bit-identical")
    func twoThreadsDeterministic() throws {
        let config = Self.config("catalog")
        let inputs = try memoryInputs(config: config)
        let a = try temporaryDirectory(), b = try temporaryDirectory(), c = try temporaryDirectory()
        defer { for d in [a, b, c] { try? FileManager.default.removeItem(atPath: d) } }
        let first = try Trainer(inputs: inputs, options: .init(checkpointDirectory: a, threads: 2)).run()
        let second = try Trainer(inputs: inputs, options: .init(checkpointDirectory: b, threads: 2)).run()
        _ = try Trainer(inputs: inputs, options: .init(checkpointDirectory: c, threads: 2, stopAfterEpochs: 2)).run()
        let resumed = try Trainer(
            inputs: inputs, options: .init(checkpointDirectory: c, resume: c + "/last.ckpt", threads: 2)
        ).run()
        for run in [second, resumed] {
            #expect(run.history.map { $0.trainLoss.bitPattern } == first.history.map { $0.trainLoss.bitPattern })
            #expect(run.history.map(\.validation) == first.history.map(\.validation))
        }
        let weights = try [a, b, c].map { weightsFingerprint(try Checkpoint.read(from: $0 + "/last.ckpt").tensors) }
        #expect(weights[0] == weights[1] && weights[0] == weights[2])
    }
}
