import Foundation
import PixelConfig
import PixelNN
import PixelTensor
import Testing

@testable import PixelModels

@Suite("Content alignment (training.content_alignment_weight)")
struct ContentAlignmentTests {
    /// No dropout anywhere and no batch norm, so two forward passes of the same rows agree exactly.
    static func config(weight: Double) -> PixelRecConfig {
        var config = smallConfig()
        config.model.dropoutRate = 0
        config.model.attentionDropout = 0
        config.model.itemIdDropout = 0
        config.model.useBatchNorm = false
        config.model.useContrastive = false
        config.training.contentAlignmentWeight = weight
        return config
    }

    static let examples = TrainingExamples(
        users: [0, 1, 2, 3, 4, 5], positives: [0, 3, 3, 7, 12, 20], negatives: [1, 2, 4, 5, 6, 8], ratio: 1)

    /// Symmetric InfoNCE of unit rows at temperature `t`, by hand in Double.
    static func infoNCE(_ a: [[Double]], _ b: [[Double]], t: Double) -> Double {
        func unit(_ x: [Double]) -> [Double] {
            let n = x.reduce(0) { $0 + $1 * $1 }.squareRoot()
            return x.map { $0 / n }
        }
        let ua = a.map(unit), ub = b.map(unit), n = a.count
        let s = (0..<n).map { i in (0..<n).map { j in zip(ua[i], ub[j]).reduce(0) { $0 + $1.0 * $1.1 } / t } }
        func ce(_ row: [Double], _ target: Int) -> Double {
            let m = row.max()!
            return -(row[target] - m - log(row.reduce(0) { $0 + exp($1 - m) }))
        }
        let forward = (0..<n).map { ce(s[$0], $0) }.reduce(0, +) / Double(n)
        let backward = (0..<n).map { j in ce((0..<n).map { s[$0][j] }, j) }.reduce(0, +) / Double(n)
        return (forward + backward) / 2
    }

    @Test("the term is InfoNCE(content-only vectors, ID vectors) of the distinct positives (Double by hand, 1e-5)")
    func matchesHandComputation() throws {
        let (inputs, content, _, model) = try memoryModel(config: Self.config(weight: 0.5), seed: 3)
        _ = inputs
        let settings = LossSettings(loss: .sampledSoftmax, alignmentWeight: 0.5)
        let parts = model.loss(Self.examples, content: content, settings: settings)
        let off = model.loss(Self.examples, content: content, settings: LossSettings(loss: .sampledSoftmax))
        #expect(abs(parts.total.scalar - (off.total.scalar + 0.5 * parts.alignment)) <= 1e-5)
        let distinct: [Int32] = [0, 3, 7, 12, 20]
        let d = model.hyperparameters.embeddingDim
        func rows(_ t: Tensor) -> [[Double]] {
            let s = t.scalars
            return (0..<distinct.count).map { r in (0..<d).map { Double(s[r * d + $0]) } }
        }
        let (cold, warm) = Autograd.withoutRecording {
            (
                model.itemVectors(content: content, rows: distinct, ids: distinct.map { _ in -1 }),
                model.itemVectors(content: content, rows: distinct, ids: distinct)
            )
        }
        let expected = Self.infoNCE(
            rows(cold), rows(warm), t: Double(model.hyperparameters.contrastiveTemperature))
        #expect(abs(Double(parts.alignment) - expected) <= 1e-5, "\(parts.alignment) vs \(expected)")
        #expect(off.alignment == 0)
    }

    @Test("its gradient reaches the content projections and the item-ID table; weight 0 or the ID tower: no term")
    func gradientsAndOff() throws {
        let (_, content, _, model) = try memoryModel(config: Self.config(weight: 1), seed: 3)
        let only = LossSettings(loss: .sampledSoftmax, recommendationWeight: 0, alignmentWeight: 1)
        let parts = model.loss(Self.examples, content: content, settings: only)
        #expect(parts.alignment > 0)
        let gradients = parts.total.gradients()
        for (name, parameter) in model.namedParameters()
        where name.hasPrefix("text_projection") || name.hasPrefix("vision_projection")
            || name == "item_embedding.weight"
        {
            let g = try #require(gradients[parameter], "\(name) has no gradient").dense.scalars
            #expect(g.contains { $0 != 0 }, "\(name)")
        }
        var idTower = Self.config(weight: 1)
        idTower.model.itemTower = .id
        let (_, c2, _, m2) = try memoryModel(config: idTower, seed: 3)
        #expect(m2.loss(Self.examples, content: c2, settings: only).alignment == 0)
    }

    @Test("training honours the key: the weights differ from a run without it, and runs stay deterministic")
    func trainingUsesIt() throws {
        func train(_ weight: Double) throws -> UInt64 {
            let inputs = try memoryInputs(config: Self.config(weight: weight))
            let directory = try temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            _ = try Trainer(inputs: inputs, options: .init(checkpointDirectory: directory, threads: 1)).run()
            return weightsFingerprint(try Checkpoint.read(from: directory + "/last.ckpt").tensors)
        }
        let with = try train(1), again = try train(1), without = try train(0)
        #expect(with == again)
        #expect(with != without)
    }
}
