import Foundation
import PixelConfig
import PixelTensor
import Testing

@testable import PixelModels

/// The training loop: exact resume, checkpoint integrity, loss decrease, gradients.
@Suite("Trainer and checkpoints")
struct TrainerTests {
    @Test(
        "train 5 epochs == train 2, stop, resume to 5: identical metrics and weights (1 thread)",
        arguments: ["pretrained", "enhanced"])
    func resumeIsExact(_ modelClass: String) throws {
        var config = smallConfig(epochs: 5)
        config.model.modelClass = ModelClass(rawValue: modelClass)!
        config.training.lrSchedulerPatience = 0  // make the plateau scheduler act, so its replay is tested
        let inputs = try memoryInputs(config: config)
        let full = try temporaryDirectory(), parts = try temporaryDirectory()
        defer {
            try? FileManager.default.removeItem(atPath: full)
            try? FileManager.default.removeItem(atPath: parts)
        }
        let uninterrupted = try Trainer(inputs: inputs, options: .init(checkpointDirectory: full)).run()
        _ = try Trainer(inputs: inputs, options: .init(checkpointDirectory: parts, stopAfterEpochs: 2)).run()
        let interrupted = try Checkpoint.read(from: parts + "/last.ckpt")
        #expect(interrupted.header.epoch == 2 && !interrupted.header.finished)
        let resumed = try Trainer(
            inputs: inputs, options: .init(checkpointDirectory: parts, resume: parts + "/last.ckpt")
        ).run()
        #expect(resumed.history.count == 5)
        for (a, b) in zip(uninterrupted.history, resumed.history) {
            #expect(
                a.trainLoss == b.trainLoss && a.validation == b.validation && a.learningRate == b.learningRate,
                "epoch \(a.epoch)")
        }
        let x = try Checkpoint.read(from: full + "/last.ckpt"), y = try Checkpoint.read(from: parts + "/last.ckpt")
        #expect(x.tensors.keys.sorted() == y.tensors.keys.sorted())
        for (name, t) in x.tensors { #expect(t.scalars == y.tensors[name]?.scalars, "\(name)") }
        #expect(x.optimizerState == y.optimizerState)
        #expect(uninterrupted.bestEpoch == resumed.bestEpoch && uninterrupted.bestMetric == resumed.bestMetric)
    }

    @Test("checkpoints round-trip; a flipped payload byte, a truncated file or a foreign file is refused")
    func checkpointIntegrity() throws {
        let config = smallConfig(epochs: 1)
        let inputs = try memoryInputs(config: config)
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        _ = try Trainer(inputs: inputs, options: .init(checkpointDirectory: directory)).run()
        let path = directory + "/last.ckpt"
        let checkpoint = try Checkpoint.read(from: path)
        let model = try checkpoint.model()
        for (name, t) in model.stateDict() { #expect(t.scalars == checkpoint.tensors[name]?.scalars) }
        // Only the final files remain (written through temporary files renamed into place).
        let files = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        #expect(files == ["best.ckpt", "last.ckpt", "metrics.csv", "metrics.jsonl", "training_curves.png"], "\(files)")
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[bytes.count - 5] ^= 0x40
        #expect(throws: ModelError.self) { try Checkpoint.decode(Data(bytes), path: "flipped") }
        let original = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(throws: ModelError.self) {
            try Checkpoint.decode(Data(original.prefix(original.count - 7)), path: "cut")
        }
        #expect(throws: ModelError.self) { try Checkpoint.decode(Data(original.prefix(40)), path: "cut") }
        #expect(throws: ModelError.self) { try Checkpoint.decode(Data("PXCKPT01garbage!".utf8), path: "junk") }
    }

    @Test(
        "a version-1 checkpoint (byte-wise FNV-1a) still reads; the version-2 checksum ignores how the payload is cut")
    func checkpointVersions() throws {
        let config = smallConfig(epochs: 1)
        let inputs = try memoryInputs(config: config)
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        _ = try Trainer(inputs: inputs, options: .init(checkpointDirectory: directory)).run()
        let checkpoint = try Checkpoint.read(from: directory + "/last.ckpt")
        #expect(checkpoint.header.version == 2)
        // The streamed file equals the in-memory encoding.
        #expect(try Data(contentsOf: URL(fileURLWithPath: directory + "/last.ckpt")) == (try checkpoint.encoded()))
        let old = try Checkpoint.decode(try checkpoint.encoded(version: 1), path: "v1")
        #expect(old.header.version == 1)
        for (name, t) in checkpoint.tensors { #expect(old.tensors[name]?.scalars == t.scalars) }
        #expect(old.optimizerState == checkpoint.optimizerState)
        var v1 = [UInt8](try checkpoint.encoded(version: 1))
        v1[v1.count - 3] ^= 0x01
        #expect(throws: ModelError.self) { try Checkpoint.decode(Data(v1), path: "v1 flipped") }
        // Version 2: the same checksum whatever the piece boundaries (words straddle pieces).
        let bytes: [UInt8] = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ 7) }
        func hash(_ cuts: [Int]) -> UInt64 {
            bytes.withUnsafeBytes { raw in
                Checkpoint.payloadChecksum(version: 2) { body in
                    var start = 0
                    for end in cuts + [raw.count] {
                        body(UnsafeRawBufferPointer(rebasing: raw[start..<end]))
                        start = end
                    }
                }
            }
        }
        let whole = hash([])
        #expect(hash([1, 2, 3, 70, 71, 500, 999]) == whole)
        #expect(hash([64, 128, 640]) == whole)
        // Any one changed byte changes it.
        var changed = bytes
        for k in [0, 7, 63, 64, 999] {
            changed = bytes
            changed[k] ^= 0x80
            let other = changed.withUnsafeBytes { raw in Checkpoint.payloadChecksum(version: 2) { $0(raw) } }
            #expect(other != whole, "byte \(k)")
        }
    }

    @Test(
        "the loss falls when fitting one fixed batch", arguments: ["pretrained", "enhanced"],
        ["bce", "bpr", "sampled_softmax"])
    func lossDecreases(_ modelClass: String, _ loss: String) throws {
        var config = smallConfig()
        config.model.modelClass = ModelClass(rawValue: modelClass)!
        config.model.dropoutRate = 0
        config.model.attentionDropout = 0
        config.model.itemIdDropout = 0
        config.training.learningRate = 0.01
        config.training.weightDecay = 0
        let (inputs, content, _, model) = try memoryModel(config: config, seed: 5)
        let optimizer = Trainer.makeOptimizer(config.training, parameters: model.namedParameters())
        let examples = TrainingExamples(
            users: Array(inputs.train.users.prefix(32)), positives: Array(inputs.train.items.prefix(32)),
            negatives: (0..<64).map { Int32(($0 * 7) % inputs.train.itemIds.count) }, ratio: 2)
        let settings = LossSettings(loss: LossFunction(rawValue: loss)!, contrastiveWeight: 0.1)
        let first = model.loss(examples, content: content, settings: settings).total.scalar
        var last = first
        for _ in 0..<40 {
            let parts = model.loss(examples, content: content, settings: settings)
            last = parts.total.scalar
            let g = parts.total.gradients()
            Autograd.withoutRecording { optimizer.step(g) }
        }
        #expect(last < first * 0.7, "loss \(first) → \(last)")
    }

    @Test("model gradients match central finite differences (vision projection, user embedding)")
    func finiteDifferences() throws {
        var config = smallConfig()
        config.model.modelClass = .enhanced
        config.model.dropoutRate = 0
        config.model.attentionDropout = 0
        config.model.itemIdDropout = 0
        config.model.useBatchNorm = false
        let (_, content, _, model) = try memoryModel(config: config, seed: 9)
        let examples = TrainingExamples(
            users: [0, 1, 2, 3], positives: [0, 1, 2, 3], negatives: [4, 5, 6, 7], ratio: 1)
        let settings = LossSettings(loss: .bpr, contrastiveWeight: 0.5)
        let named = Dictionary(uniqueKeysWithValues: model.namedParameters())
        let grads = model.loss(examples, content: content, settings: settings).total.gradients()
        for (name, index) in [
            ("vision_projection.0.weight", 5), ("user_embedding.weight", 3), ("fusion.layers.0.linear.weight", 17),
        ] {
            let p = try #require(named[name])
            let analytic = try #require(grads[p]).dense.scalars[index]
            let eps: Float = 1e-2
            func lossAt(_ delta: Float) -> Double {
                p.update { $0[index] += delta }
                defer { p.update { $0[index] -= delta } }
                return Double(
                    Autograd.withoutRecording {
                        model.loss(examples, content: content, settings: settings).total.scalar
                    })
            }
            let numeric = (lossAt(eps) - lossAt(-eps)) / Double(2 * eps)
            // Float32 forward passes: agreement to 2e-3 absolute + 5% relative.
            #expect(
                abs(Double(analytic) - numeric) <= 2e-3 + 0.05 * abs(numeric),
                "\(name)[\(index)]: \(analytic) vs \(numeric)")
        }
    }
}
