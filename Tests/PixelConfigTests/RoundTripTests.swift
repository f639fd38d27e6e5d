import Testing

@testable import PixelConfig

@Suite("yamlText round trip")
struct RoundTripTests {
    private func roundTrip(_ config: PixelRecConfig) throws -> PixelRecConfig {
        try ConfigLoader.load(yaml: config.yamlText(), sourceName: "round-trip.yaml").config
    }

    @Test("defaults load back equal")
    func defaults() throws {
        #expect(try roundTrip(PixelRecConfig()) == PixelRecConfig())
    }

    @Test("each shipped config loads back equal", arguments: shippedConfigNames)
    func shipped(_ name: String) throws {
        let config = try ConfigLoader.load(path: shippedConfigPath(name)).config
        #expect(try roundTrip(config) == config)
    }

    @Test("every enum value, optional and list shape survives")
    func everyShape() throws {
        var config = PixelRecConfig()
        config.model.visionModel = .builtin
        config.model.languageModel = .sentenceBERT
        config.model.projectionHiddenDim = 96
        config.model.visionModelPath = "/opt/encoders/clip vit-b32"
        config.model.fusionHiddenDims = []
        config.model.fusionActivation = .leakyReLU
        config.model.finalActivation = .none
        config.training.learningRate = 3.0e-4
        config.training.adamEps = 1e-12
        config.training.lrSchedulerMinLR = 0
        config.training.weightDecay = 1e20
        config.training.earlyStoppingMetric = .validationLoss
        config.data.numericalNormalizationMethod = .none
        config.data.numericalFeaturesCols = []
        config.data.processedDir = "processed"
        config.evaluation.kValues = [1]
        config.evaluation.task = .beyondAccuracy
        #expect(try roundTrip(config) == config)
        config.training.earlyStoppingMetric = .ranking(.hitRate, k: 20)
        #expect(try roundTrip(config) == config)
    }

    /// Strings that are YAML in disguise (`null`, `true`, `123`, `- x`, `#x`, `a: b`, quotes, control
    /// characters, non-ASCII) must come back as the same text.
    @Test(
        "strings that look like other YAML come back unchanged",
        arguments: [
            "null", "~", "true", "no", "123", "1e5", ".5", "0x1F", "- x", "#x", "a: b", "a #b", "[1, 2]", "{a: 1}",
            "'single'", "\"double\"", "back\\slash", "tab\there", "new\nline", "trailing ", " leading", "*alias",
            "&anchor", "!tag", "%directive", "@at", "`tick", "|", ">", "?", ":", "-", "ünïcødé/路径", "emoji 🎞️",
            "\u{7F}\u{85}\u{2028}", "",
        ])
    func strings(_ text: String) throws {
        var config = PixelRecConfig()
        config.data.processedDir = text
        config.data.numericalFeaturesCols = [text + "x", "y" + text]
        config.data.imageFolder = text + "/images"
        #expect(try roundTrip(config) == config)
    }

    @Test("doubles are written with a decimal point (PyYAML reads them as floats)")
    func doubleText() {
        #expect(1e-6.yamlText == "1.0e-06")
        #expect(0.001.yamlText == "0.001")
        #expect(1.0.yamlText == "1.0")
        #expect(1e20.yamlText == "1.0e+20")
    }

    @Test("yamlValue(forKeyPath:) renders one key")
    func oneValue() {
        var config = PixelRecConfig()
        #expect(config.yamlValue(forKeyPath: "model.fusion_hidden_dims") == "[]")
        config.model.fusionHiddenDims = [512, 256, 128]
        #expect(config.yamlValue(forKeyPath: "model.fusion_hidden_dims") == "[512, 256, 128]")
        #expect(config.yamlValue(forKeyPath: "model.projection_hidden_dim") == "null")
        #expect(config.yamlValue(forKeyPath: "model.nope") == nil)
    }
}
