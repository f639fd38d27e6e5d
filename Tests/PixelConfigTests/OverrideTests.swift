import Testing

@testable import PixelConfig

@Suite("--set overrides")
struct OverrideTests {
    @Test("scalars, lists, null and quoted text")
    func kinds() throws {
        let loaded = try ConfigLoader.load(
            path: nil,
            overrides: [
                "model.fusion_hidden_dims=[256,128]",
                "training.learning_rate=3e-4",
                "training.epochs = 5",
                "model.vision_model=dino",
                "model.projection_hidden_dim=64",
                "data.processed_dir='out: here'",
                "training.early_stopping_metric=recall@20",
                "model.use_batch_norm=no",
                "data.image_folder=@images",
            ])
        let config = loaded.config
        #expect(config.model.fusionHiddenDims == [256, 128])
        #expect(config.training.learningRate == 3e-4)
        #expect(config.training.epochs == 5)
        #expect(config.model.visionModel == .dino)
        #expect(config.model.projectionHiddenDim == 64)
        #expect(config.data.processedDir == "out: here")
        #expect(config.training.earlyStoppingMetric == .ranking(.recall, k: 20))
        #expect(config.model.useBatchNorm == false)
        #expect(config.data.imageFolder == "@images")
        let back = try ConfigLoader.load(path: nil, overrides: ["model.projection_hidden_dim=null"])
        #expect(back.config.model.projectionHiddenDim == nil)
    }

    @Test("overrides apply after the file, in order, and can repair an invalid file value")
    func order() throws {
        let yaml = "training:\n  epochs: 0\n  batch_size: 8\n"
        let loaded = try ConfigLoader.load(
            yaml: yaml, sourceName: "x.yaml", overrides: ["training.epochs=3", "training.epochs=4"])
        #expect(loaded.config.training.epochs == 4)
        #expect(loaded.config.training.batchSize == 8)
        // The split ratios are checked on the final values: setting them one by one is fine.
        let ratios = try ConfigLoader.load(
            path: nil,
            overrides: [
                "data.splitting.train_final_ratio=0.8", "data.splitting.val_final_ratio=0.1",
                "data.splitting.test_final_ratio=0.1",
            ])
        #expect(ratios.config.data.splitting.trainFinalRatio == 0.8)
    }

    @Test("a meaningless seed key is accepted with a warning")
    func ignored() throws {
        let loaded = try ConfigLoader.load(path: nil, overrides: ["training.num_workers=8"])
        #expect(loaded.config == PixelRecConfig())
        #expect(
            loaded.warnings == [
                "--set training.num_workers=8: training.num_workers is ignored: pixelrec sets parallelism with training.threads"
            ])
    }

    @Test(
        "bad overrides give one-line errors naming the argument",
        arguments: [
            ("training.epochs=ten", "--set training.epochs=ten: training.epochs: expected an integer, got \"ten\""),
            ("training.epochs", "--set training.epochs: expected key.path=value"),
            ("=3", "--set =3: expected key.path=value"),
            (
                "training.epoch=3",
                "--set training.epoch=3: unknown key 'training.epoch' (did you mean 'training.epochs'?)"
            ),
            (
                "traning.epochs=3",
                "--set traning.epochs=3: unknown key 'traning.epochs' (did you mean 'training.epochs'?)"
            ),
            (
                "model.fusion_hidden_dims=[256,x]",
                "--set model.fusion_hidden_dims=[256,x]: model.fusion_hidden_dims[1]: expected an integer, got \"x\""
            ),
            (
                "model.fusion_hidden_dims=[256,",
                "--set model.fusion_hidden_dims=[256,: model.fusion_hidden_dims: expected a list of integers, got \"[256,\""
            ),
            (
                "training.learning_rate=0",
                "--set training.learning_rate=0: training.learning_rate: must be > 0, got 0.0"
            ),
            ("training", "--set training: expected key.path=value"),
            (
                "training=1",
                "--set training=1: training is a section; set its keys one at a time, e.g. training.batch_size=…"
            ),
            (
                "data.splitting.test_final_ratio=0.5",
                "--set data.splitting.test_final_ratio=0.5: data.splitting.test_final_ratio: train_final_ratio + val_final_ratio + test_final_ratio must be 1 (±1e-6), got 0.6 + 0.2 + 0.5 = 1.3"
            ),
            ("training.epochs=", "--set training.epochs=: training.epochs: expected an integer, got null"),
        ])
    func errors(_ argument: String, _ message: String) {
        #expect(loadError("", overrides: [argument]) == message)
    }
}
