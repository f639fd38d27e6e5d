import Foundation
import PixelConfig
import PixelData
import PixelEncoders
import PixelTensor
import Testing

@testable import PixelModels

/// A trainable text top inside the item tower (issue 14), at library level: a small random post-LN block
/// (E = 8, 2 heads, F = 16) stands for an imported one, on random cached states of the catalog's items.
@Suite("Trainable encoder tops: training")
struct TextTopTrainingTests {
    static let architecture = TrainableEncoderTop.Architecture(
        cut: "/encoder/layer.0/output", totalBlocks: 1, pooling: .maskedMean, normalize: true,
        blocks: [
            TrainableEncoderTop.BlockShape(
                width: 8, heads: 2, intermediate: 16, attentionEpsilon: 1e-12, outputEpsilon: 1e-12,
                biases: [Bool](repeating: true, count: 6))
        ])

    /// `memoryInputs` with text replaced by cached states (item `i{k}`: `k % 5` tokens, so `i0`, `i5`, … have
    /// no text) and a random top as the imported starting point.
    static func inputs(config: PixelRecConfig, directory: String) throws -> Trainer.Inputs {
        var inputs = try memoryInputs(config: config)
        let catalog = try Trainer.catalog(train: inputs.train, validation: inputs.validation)
        let keys = catalog.keys, e = 8
        let lengths = keys.map { (Int($0.dropFirst()) ?? 0) % 5 }
        let path = directory + "/text_top.pxhs"
        try HiddenStateCache.write(
            identity: HiddenStateCache.Identity(encoder: "test", modelHash: "h", cut: architecture.cut), width: e,
            length: 4, ids: keys, lengths: lengths, to: path
        ) { put in
            var g = RandomGenerator(seed: 21)
            for row in keys.indices where lengths[row] > 0 {
                let states = Tensor.randomNormal(shape: [lengths[row] * e], generator: &g).scalars
                try states.withUnsafeBufferPointer { try put(row, $0) }
            }
        }
        let frozen = inputs.content
        var content = try ItemContent(
            count: frozen.count, vision: frozen.vision, visionWidth: frozen.visionWidth,
            text: [Float](repeating: 0, count: frozen.count * e), textWidth: e, numeric: frozen.numeric,
            numericWidth: frozen.numericWidth)
        content.textStates = try CachedTextStates(
            cache: try HiddenStateCache(contentsOf: path), itemIDs: keys, cut: architecture.cut, width: e)
        inputs.content = content
        inputs.hyperparameters.textWidth = e
        inputs.hyperparameters.textTop = architecture
        let imported = try TrainableEncoderTop(architecture: architecture)
        var g = RandomGenerator(seed: 5)
        for (name, p) in imported.namedParameters() {
            let noise = Tensor.randomNormal(shape: p.shape, generator: &g) * Tensor(0.2)
            let base = name.hasSuffix("norm.weight") ? Tensor(repeating: 1, shape: p.shape) : Tensor(zeros: p.shape)
            p.update { values in
                for k in values.indices { values[k] = base.scalars[k] + noise.scalars[k] }
            }
        }
        inputs.textTopWeights = imported.stateDict()
        return inputs
    }

    static func topWeights(_ checkpoint: Checkpoint) -> [String: [Float]] {
        checkpoint.tensors.filter { $0.key.hasPrefix("text_top.") }.mapValues(\.scalars)
    }

    @Test(
        "the top trains at training.encoder_lr in its own group, is saved and validated in the checkpoint, and a resumed run is exact"
    )
    func trainsSavesResumes() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var config = smallConfig(epochs: 2)
        config.training.learningRate = 0.01
        config.training.encoderLR = 0.001
        let inputs = try Self.inputs(config: config, directory: directory)
        let start = try #require(inputs.textTopWeights).mapValues(\.scalars)
        let summary = try Trainer(inputs: inputs, options: .init(checkpointDirectory: directory + "/full")).run()
        #expect(summary.history.allSatisfy { $0.trainLoss.isFinite })
        let checkpoint = try Checkpoint.read(from: directory + "/full/last.ckpt")
        #expect(checkpoint.header.hyperparameters.textTop == Self.architecture)
        let trained = Self.topWeights(checkpoint)
        #expect(Set(trained.keys) == Set(start.keys.map { "text_top." + $0 }) && trained.count == 16)
        let moved =
            trained.map { name, values in
                zip(values, start[String(name.dropFirst("text_top.".count))]!).map { abs($0 - $1) }.max() ?? 0
            }.max() ?? 0
        #expect(moved > 0)
        // A tiny encoder_lr leaves the top (almost) where it started: the group is what moves it.
        var still = config
        still.training.encoderLR = 1e-9
        let stillInputs = try Self.inputs(config: still, directory: directory)
        _ = try Trainer(inputs: stillInputs, options: .init(checkpointDirectory: directory + "/still")).run()
        let barely =
            Self.topWeights(try Checkpoint.read(from: directory + "/still/last.ckpt")).map { name, values in
                zip(values, start[String(name.dropFirst("text_top.".count))]!).map { abs($0 - $1) }.max() ?? 0
            }.max() ?? 0
        print("text top after 2 epochs: max |Δw| \(moved) at encoder_lr 1e-3, \(barely) at 1e-9")
        #expect(barely < moved * 1e-4)
        // Stop after 1 epoch, resume to 2: the same weights (the top's Adam moments are in the checkpoint).
        _ = try Trainer(inputs: inputs, options: .init(checkpointDirectory: directory + "/parts", stopAfterEpochs: 1))
            .run()
        _ = try Trainer(
            inputs: inputs,
            options: .init(checkpointDirectory: directory + "/parts", resume: directory + "/parts/last.ckpt")
        ).run()
        let resumed = try Checkpoint.read(from: directory + "/parts/last.ckpt")
        for (name, t) in checkpoint.tensors { #expect(t.scalars == resumed.tensors[name]?.scalars, "\(name)") }
        // Scoring from the checkpoint needs the cached states: without them, one typed error.
        let (_, items) = try checkpoint.idMaps()
        let vectors = try MultimodalScoring.itemVectors(
            checkpoint: checkpoint, path: "last.ckpt", itemIds: items,
            content: try Self.subset(inputs.content, items.count))
        #expect(vectors.count == items.count * config.model.embeddingDim && vectors.allSatisfy(\.isFinite))
        var frozen = try Self.subset(inputs.content, items.count)
        frozen.textStates = nil
        #expect(throws: ModelError.self) {
            _ = try MultimodalScoring.itemVectors(
                checkpoint: checkpoint, path: "last.ckpt", itemIds: items, content: frozen)
        }
    }

    /// The first `n` rows of `content` (the training items come first in the catalog), states included.
    static func subset(_ content: ItemContent, _ n: Int) throws -> ItemContent {
        var out = try ItemContent(
            count: n, vision: Array(content.vision.prefix(n * content.visionWidth)), visionWidth: content.visionWidth,
            text: Array(content.text.prefix(n * content.textWidth)), textWidth: content.textWidth,
            numeric: Array(content.numeric.prefix(n * content.numericWidth)), numericWidth: content.numericWidth)
        if let states = content.textStates {
            out.textStates = try CachedTextStates(
                cache: states.cache, itemIDs: states.cacheRows.prefix(n).map { states.cache.ids[$0] },
                cut: states.cache.identity.cut, width: states.cache.width)
        }
        return out
    }
}
