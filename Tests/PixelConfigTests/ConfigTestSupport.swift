import Foundation
import Testing

@testable import PixelConfig

/// The package root, found from this file's path (Tests/PixelConfigTests/…).
let packageRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
}()

/// The config files shipped in `configs/`.
let shippedConfigNames = [
    "default_config.yaml", "enhanced_config.yaml", "dino_config.yaml", "large_scale_config.yaml", "demo_config.yaml",
    "ml100k_config.yaml", "ml100k_real_encoders.yaml", "ml100k_cold_items.yaml", "ml100k_sequence.yaml",
]

func shippedConfigPath(_ name: String) -> String { packageRoot + "/configs/" + name }

/// Loads `yaml` as `test.yaml`, returning the error's one-line description (or `nil` when it loads).
func loadError(_ yaml: String, overrides: [String] = []) -> String? {
    do {
        _ = try ConfigLoader.load(yaml: yaml, sourceName: "test.yaml", overrides: overrides)
        return nil
    } catch {
        return error.description
    }
}

/// A fresh temporary directory for one test.
func temporaryDirectory() throws -> String {
    let path = NSTemporaryDirectory() + "pixelconfig-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}
