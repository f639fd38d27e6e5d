import Foundation
import Testing

@testable import PixelConfig

@Suite("Defaults")
struct DefaultsTests {
    @Test("mission defaults win over the published seed file")
    func missionDefaults() {
        let config = PixelRecConfig()
        #expect(config.model.visionModel == .clip)
        #expect(PixelRecConfig.framework.model.embeddingDim == 128)
        #expect(config.data.imageCache.maxMemoryItems == 1500)
        #expect(config.data.splitting.trainFinalRatio == 0.6)
        #expect(config.data.splitting.valFinalRatio == 0.2)
        #expect(config.data.splitting.testFinalRatio == 0.2)
    }

    /// The validated model of docs/EVALUATION.md ("Sequence user encoder"), `configs/ml100k_sequence.yaml`.
    @Test("unset keys take the validated sequence model; the departures are exactly the listed keys")
    func validatedDefaults() throws {
        let ours = PixelRecConfig(), framework = PixelRecConfig.framework
        #expect(ours.model.userEncoder == .hybrid && ours.model.itemTower == .idContent)
        #expect(ours.model.embeddingDim == 64 && ours.model.fusionHiddenDims.isEmpty && !ours.model.useBatchNorm)
        #expect(ours.model.maxSeqLen == 50 && ours.model.seqBlocks == 2 && ours.model.seqHeads == 1)
        #expect(ours.training.loss == .sampledSoftmax && ours.training.batchSize == 128)
        #expect(ours.training.weightDecay == 0 && !ours.training.useLRScheduler && ours.training.patience == 20)
        let departed = Set(PixelRecConfig.departures.map(\.key))
        #expect(departed.count == PixelRecConfig.departures.count)
        for key in PixelRecConfig.keyPaths {
            let a = ours.yamlValue(forKeyPath: key), b = framework.yamlValue(forKeyPath: key)
            #expect((a != b) == departed.contains(key), "\(key): pixelrec \(a ?? "nil"), framework \(b ?? "nil")")
        }
        // The shipped validated config sets the same model and schedule as the defaults.
        let shipped = try ConfigLoader.load(path: shippedConfigPath("ml100k_sequence.yaml")).config
        #expect(
            shipped.model.userEncoder == ours.model.userEncoder && shipped.model.embeddingDim == ours.model.embeddingDim
        )
        #expect(shipped.model.fusionHiddenDims == ours.model.fusionHiddenDims)
        #expect(
            shipped.model.dropoutRate == ours.model.dropoutRate && shipped.model.seqDropout == ours.model.seqDropout)
        #expect(shipped.training.loss == ours.training.loss && shipped.training.batchSize == ours.training.batchSize)
        #expect(shipped.training.learningRate == ours.training.learningRate)
        #expect(shipped.training.patience == ours.training.patience && shipped.training.epochs == ours.training.epochs)
    }

    @Test("the framework's defaults are its published seed values")
    func seedDefaults() {
        let config = PixelRecConfig.framework
        #expect(config.model.modelClass == .pretrained)
        #expect(config.model.languageModel == .sentenceBERT)
        #expect(config.model.contrastiveTemperature == 0.07)
        #expect(config.model.fusionHiddenDims == [512, 256, 128])
        #expect(config.model.projectionHiddenDim == nil)
        #expect(config.model.finalActivation == .sigmoid)
        #expect(config.model.initMethod == .xavierUniform)
        #expect(config.training.batchSize == 64)
        #expect(config.training.epochs == 30)
        #expect(config.training.learningRate == 0.001)
        #expect(config.training.lrSchedulerType == .reduceOnPlateau)
        #expect(config.training.lrSchedulerMinLR == 1e-6)
        #expect(config.training.adamEps == 1e-8)
        #expect(config.training.optimizerType == .adamw)
        #expect(ConfigSchema.ignoredReason("data.scaler_path") != nil)
        #expect(config.data.offlineImageCompression.resizeIfPixelsLargerThan == [2048, 2048])
        #expect(config.data.numericalFeaturesCols.count == 7)
        #expect(config.data.offlineImageValidation.allowedExtensions == [".jpg", ".jpeg", ".png"])
        #expect(config.data.splitting.randomState == 42)
        #expect(config.recommendation.topK == 50)
        #expect(config.recommendation.maxCandidates == 1000)
        #expect(config.checkpointDir == "models/checkpoints")
        #expect(config.resultsDir == "results")
        #expect(config.evaluation.kValues == [5, 10, 20, 50])
        #expect(config.evaluation.negatives == 0)
    }

    @Test("no path and no overrides gives the defaults, no warnings")
    func loadNothing() throws {
        let loaded = try ConfigLoader.load(path: nil)
        #expect(loaded.config == PixelRecConfig())
        #expect(loaded.warnings.isEmpty)
        #expect(loaded.sourcePath == nil)
    }

    @Test(
        "an empty file, a comment-only file and an explicit null document give the defaults",
        arguments: [
            "", "\n\n", "# only a comment\n", "---\n", "~\n", "null", "\u{FEFF}", "\u{FEFF}# bom and comment\n",
        ])
    func emptyDocuments(_ yaml: String) throws {
        let loaded = try ConfigLoader.load(yaml: yaml, sourceName: "empty.yaml")
        #expect(loaded.config == PixelRecConfig())
    }

    @Test("an empty file on disk gives the defaults and records its path")
    func emptyFile() throws {
        let directory = try temporaryDirectory()
        let path = directory + "/empty.yaml"
        try Data().write(to: URL(fileURLWithPath: path))
        let loaded = try ConfigLoader.load(path: path)
        #expect(loaded.config == PixelRecConfig())
        #expect(loaded.sourcePath == path)
    }

    @Test("the schema lists each key once and keeps sections contiguous")
    func schemaShape() {
        let paths = PixelRecConfig.keyPaths
        #expect(Set(paths).count == paths.count)
        // Once the table leaves a section, the section must not appear again (yamlText would repeat it).
        var open: [String] = []
        var closed: Set<String> = []
        for path in paths {
            let parts = path.split(separator: ".").dropLast()
            let ancestors = parts.indices.map { parts[...$0].joined(separator: ".") }
            for section in open where !ancestors.contains(section) { closed.insert(section) }
            for section in ancestors {
                #expect(!closed.contains(section), "section \(section) is split in the schema table")
            }
            open = ancestors
        }
    }

    @Test("derived paths: encoder directories and the processed directory")
    func derivedPaths() {
        var config = PixelRecConfig()
        #expect(config.model.resolvedVisionModelPath == "models/encoders/clip")
        #expect(config.model.resolvedLanguageModelPath == "models/encoders/sentence-bert")
        #expect(config.data.resolvedProcessedDir == "data/processed")
        config.model.visionModelPath = "/opt/clip"
        config.data.processedItemInfoPath = "items.csv"
        #expect(config.model.resolvedVisionModelPath == "/opt/clip")
        #expect(config.data.resolvedProcessedDir == ".")
        config.data.processedItemInfoPath = "/items.csv"
        #expect(config.data.resolvedProcessedDir == "/")
        config.data.processedDir = "out"
        #expect(config.data.resolvedProcessedDir == "out")
    }
}
