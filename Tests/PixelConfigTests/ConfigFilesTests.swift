import Foundation
import Testing

@testable import PixelConfig

@Suite("Shipped config files")
struct ConfigFilesTests {
    @Test("every file in configs/ loads without error or warning", arguments: shippedConfigNames)
    func loads(_ name: String) throws {
        let loaded = try ConfigLoader.load(path: shippedConfigPath(name))
        #expect(loaded.warnings.isEmpty, "\(loaded.warnings)")
    }

    @Test("configs/ holds exactly the files this suite checks")
    func noUncheckedFiles() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: packageRoot + "/configs")
            .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }
        #expect(Set(names) == Set(shippedConfigNames))
    }

    /// The default file is generated from the schema table, so it documents every key and never drifts.
    /// Regenerate with `PIXELREC_REGENERATE_CONFIGS=1 swift test --filter PixelConfigTests`.
    @Test("configs/default_config.yaml is exactly PixelRecConfig().yamlText()")
    func defaultFileIsGenerated() throws {
        let path = shippedConfigPath("default_config.yaml")
        let expected = PixelRecConfig().yamlText()
        if ProcessInfo.processInfo.environment["PIXELREC_REGENERATE_CONFIGS"] == "1" {
            try expected.write(toFile: path, atomically: true, encoding: .utf8)
        }
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text == expected)
        for key in PixelRecConfig.keyPaths {
            let name = String(key.split(separator: ".").last ?? "")
            #expect(
                text.contains("\n" + String(repeating: "  ", count: key.split(separator: ".").count - 1) + name + ": "))
        }
        #expect(try ConfigLoader.load(path: path).config == PixelRecConfig())
    }

    @Test("enhanced_config.yaml selects the enhanced model with cross-modal attention")
    func enhanced() throws {
        let config = try ConfigLoader.load(path: shippedConfigPath("enhanced_config.yaml")).config
        #expect(config.model.modelClass == .enhanced)
        #expect(config.model.useCrossModalAttention)
        #expect(config.model.embeddingDim % config.model.numAttentionHeads == 0)
    }

    @Test("dino_config.yaml selects the DINO image encoder")
    func dino() throws {
        let config = try ConfigLoader.load(path: shippedConfigPath("dino_config.yaml")).config
        #expect(config.model.visionModel == .dino)
        #expect(config.model.resolvedVisionModelPath == (config.model.visionModelPath ?? "models/encoders/dino"))
    }

    @Test("large_scale_config.yaml has Pixel200K-size settings")
    func largeScale() throws {
        let config = try ConfigLoader.load(path: shippedConfigPath("large_scale_config.yaml")).config
        let defaults = PixelRecConfig()
        #expect(config.training.batchSize > defaults.training.batchSize)
        #expect(config.training.epochs < defaults.training.epochs)
        #expect(config.training.threads == 2)
        #expect(config.data.imageCache.strategy == .disk)
    }
}
