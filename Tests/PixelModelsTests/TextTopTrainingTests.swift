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

    @Test("2 data-parallel workers share the top (no dropout stream is written): two runs give the same weights")
    func dataParallel() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var config = smallConfig(epochs: 1)
        config.training.threads = 2
        let inputs = try Self.inputs(config: config, directory: directory)
        var runs: [[String: [Float]]] = []
        for k in 0..<2 {
            let summary = try Trainer(
                inputs: inputs, options: .init(checkpointDirectory: directory + "/run\(k)", threads: 2)
            ).run()
            #expect(summary.history.allSatisfy { $0.trainLoss.isFinite })
            runs.append(Self.topWeights(try Checkpoint.read(from: directory + "/run\(k)/last.ckpt")))
        }
        #expect(runs[0].count == 16 && runs[0] == runs[1])
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

    /// `../shared/models/real/minilm-l6-v2` (or `$PIXELREC_SHARED/models/...`), when present.
    static var miniLM: String? {
        let shared =
            ProcessInfo.processInfo.environment["PIXELREC_SHARED"].flatMap { $0.isEmpty ? nil : $0 }
            ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared").path
        let path = shared + "/models/real/minilm-l6-v2"
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }

    @Test(
        "CLI, real MiniLM-L6 top N = 1: encode caches the states, train trains the top, eval and recommend use it; without the cache, one line"
    )
    func commandLine() throws {
        guard let model = Self.miniLM else {
            print("skipped: shared/models/real/minilm-l6-v2 not found (set PIXELREC_SHARED)")
            return
        }
        let fixture = try SynthFixture(users: 40, items: 12, interactions: 200)
        defer { fixture.remove() }
        let sets = [
            "model.language_model=sentence-bert", "model.language_model_path=\(model)", "model.freeze_language=false",
            "model.trainable_encoder_layers=1", "training.epochs=1", "training.encoder_lr=0.0001",
        ].flatMap { ["--set", $0] }
        let encode = runTool(["encode", "--config", fixture.config, "-q"] + sets)
        #expect(encode.status == 0, "\(encode.error)")
        #expect(encode.output.contains("text top states: sentence-bert"), "\(encode.output)")
        #expect(!encode.error.contains("warning"), "\(encode.error)")
        let train = runTool(["train", "--config", fixture.config, "-q"] + sets)
        #expect(train.status == 0, "\(train.error)")
        let checkpoint = try Checkpoint.read(from: fixture.directory + "/checkpoints/last.ckpt")
        let architecture = try #require(checkpoint.header.hyperparameters.textTop)
        #expect(architecture.blocks.count == 1 && architecture.totalBlocks == 6 && architecture.blocks[0].width == 384)
        #expect(checkpoint.tensors.keys.filter { $0.hasPrefix("text_top.blocks.5.") }.count == 16)
        let eval = runTool(
            [
                "eval", "--config", fixture.config, "--recommender-type", "multimodal", "--task", "next_item", "--k",
                "10",
                "-q",
            ] + sets)
        #expect(eval.status == 0, "\(eval.error)")
        let cache = fixture.directory + "/recs.pxiv"
        let recommend = [
            "recommend", "--config", fixture.config, "--sample-users", "3", "--embeddings-cache", cache, "-q",
        ]
        let lists = (fixture.directory + "/first.csv", fixture.directory + "/second.csv")
        let first = runTool(recommend + sets + ["--output", lists.0])
        #expect(first.status == 0, "\(first.error)")
        // The item-vector cache is keyed by the top's weights (checkpoint) and the cached states: the second
        // run reads it (a rewrite would be a new file, renamed into place).
        let inode = { (try? FileManager.default.attributesOfItem(atPath: cache))?[.systemFileNumber] as? Int }
        let written = inode()
        let second = runTool(recommend + sets + ["--output", lists.1])
        #expect(second.status == 0, "\(second.error)")
        #expect(written != nil && inode() == written)
        #expect(
            try String(contentsOfFile: lists.0, encoding: .utf8) == String(contentsOfFile: lists.1, encoding: .utf8))
        // Without the cached states a model with a text top cannot score: one line naming the file.
        try FileManager.default.moveItem(
            atPath: fixture.directory + "/features/text_top.pxhs", toPath: fixture.directory + "/moved.pxhs")
        let missing = runTool(recommend + sets)
        #expect(missing.status == 1)
        #expect(missing.error.hasPrefix("error: ") && missing.error.contains("text_top.pxhs"), "\(missing.error)")
        #expect(missing.error.split(separator: "\n").filter { $0.hasPrefix("error") }.count == 1)
    }
}
