import Testing

@testable import PixelConfig

/// `model.trainable_encoder_layers`, `model.freeze_language` / `freeze_vision` and `training.encoder_lr`
/// (issue 14): every combination either acts or says, at the key, what it does not do.
@Suite("Trainable encoder tops: config keys")
struct TrainableEncoderConfigTests {
    @Test("defaults: no trainable blocks, encoder_lr null = learning_rate × 0.1, and a default config is silent")
    func defaults() throws {
        let loaded = try ConfigLoader.load(yaml: "training:\n  learning_rate: 0.002\n", sourceName: "d.yaml")
        #expect(loaded.config.model.trainableEncoderLayers == 0)
        #expect(loaded.config.training.encoderLR == nil)
        #expect(abs(loaded.config.training.resolvedEncoderLR - 0.0002) < 1e-15)
        #expect(loaded.warnings.isEmpty)
        let set = try ConfigLoader.load(yaml: "training:\n  encoder_lr: 5.0e-5\n", sourceName: "e.yaml")
        #expect(set.config.training.resolvedEncoderLR == 5e-5)
    }

    @Test("freeze_language: false with N ≥ 1 (and encoder_lr) loads without a warning: the text top trains")
    func textTopActs() throws {
        let loaded = try ConfigLoader.load(
            yaml: "model:\n  language_model: sentence-bert\n  freeze_language: false\n  trainable_encoder_layers: 2\n",
            sourceName: "t.yaml", overrides: ["training.encoder_lr=1e-4"])
        #expect(loaded.config.model.trainableEncoderLayers == 2 && !loaded.config.model.freezeLanguage)
        #expect(loaded.config.training.resolvedEncoderLR == 1e-4)
        #expect(loaded.warnings.isEmpty, "\(loaded.warnings)")
    }

    @Test("freeze_vision: false warns that vision tops are not supported yet, whatever N is")
    func visionTopsUnsupported() throws {
        for layers in [0, 1] {
            let loaded = try ConfigLoader.load(
                yaml: "model:\n  freeze_vision: false\n", sourceName: "v.yaml",
                overrides: ["model.trainable_encoder_layers=\(layers)"])
            let vision = loaded.warnings.filter { $0.contains("model.freeze_vision") }
            #expect(vision.count == 1)
            #expect(vision.first?.contains("vision tops are not supported yet") == true)
        }
    }

    @Test("N, encoder_lr without freeze_language: false, and freeze_language: false without N, each warn at the key")
    func idleCombinationsWarn() throws {
        let frozen = try ConfigLoader.load(
            yaml: "model:\n  trainable_encoder_layers: 1\ntraining:\n  encoder_lr: 0.001\n", sourceName: "f.yaml")
        #expect(frozen.warnings.count == 2)
        #expect(frozen.warnings.allSatisfy { $0.contains("has no effect: the text encoder is frozen") })
        #expect(frozen.warnings.first?.hasPrefix("f.yaml:2:29: model.trainable_encoder_layers") == true)
        let noLayers = try ConfigLoader.load(yaml: "model:\n  freeze_language: false\n", sourceName: "n.yaml")
        #expect(noLayers.warnings.count == 1)
        #expect(
            noLayers.warnings.first?.hasPrefix(
                "n.yaml:2:20: model.freeze_language has no effect in pixelrec: false needs model.trainable_encoder_layers >= 1"
            ) == true)
    }

    @Test(
        "out of range: negative N, encoder_lr ≤ 0, and N ≥ 1 with the builtin text encoder are errors at the key",
        arguments: [
            ("model:\n  trainable_encoder_layers: -1\n", "model.trainable_encoder_layers", "must be at least 0"),
            ("training:\n  encoder_lr: 0\n", "training.encoder_lr", "must be null or > 0"),
            (
                "model:\n  language_model: builtin\n  freeze_language: false\n  trainable_encoder_layers: 1\n",
                "model.trainable_encoder_layers", "hashed TF-IDF has no transformer blocks"
            ),
        ])
    func rejected(yaml: String, key: String, requirement: String) throws {
        #expect {
            _ = try ConfigLoader.load(yaml: yaml, sourceName: "r.yaml")
        } throws: { error in
            guard case let .outOfRange(_, found, text, _)? = error as? ConfigError else { return false }
            return found == key && text.contains(requirement)
        }
    }
}
