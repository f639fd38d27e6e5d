import Foundation
import PixelEncoders
import Testing

@testable import PixelRecCLI

/// `pixelrec encode` and `pixelrec embed` with the built-in encoders (no model files).
@Suite("Encode and embed commands")
struct EncodeCommandTests {
    @Test("synth → preprocess → encode builds both stores; the second run reuses them; --force re-encodes")
    func encodeEndToEnd() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let synth = runTool([
            "synth", "--users", "60", "--items", "40", "--interactions", "800", "--image-size", "48", "--seed", "5",
            "--out", directory + "/raw", "-q",
        ])
        #expect(synth.status == 0, "\(synth.error)")
        let settings = [
            "--set", "model.vision_model=builtin", "--set", "model.language_model=builtin",
            "--set", "data.item_info_path=\(directory)/raw/item_info.csv",
            "--set", "data.interactions_path=\(directory)/raw/interactions.csv",
            "--set", "data.image_folder=\(directory)/raw/images",
            "--set", "data.processed_item_info_path=\(directory)/processed/item_info.csv",
            "--set", "data.feature_store_path=\(directory)/features",
            "--set", "data.offline_image_validation.min_width=32", "--set",
            "data.offline_image_validation.min_height=32",
        ]
        let preprocess = runTool(["preprocess", "-q"] + settings)
        #expect(preprocess.status == 0, "\(preprocess.error)")
        let first = runTool(["encode", "-q", "--batch-size", "7"] + settings)
        #expect(first.status == 0, "\(first.error)")
        #expect(
            first.output.contains("image: builtin 192-d: 40 items, 40 encoded, 0 reused, 0 missing"), "\(first.output)")
        #expect(first.output.contains("text: builtin 512-d: 40 items, 40 encoded, 0 reused"), "\(first.output)")
        let image = try FeatureStore(contentsOf: directory + "/features/image.pxfs")
        let text = try FeatureStore(contentsOf: directory + "/features/text.pxfs")
        #expect(image.count == 40 && text.count == 40 && image.ids == text.ids)
        let second = runTool(["encode", "-q"] + settings)
        #expect(second.output.contains("0 encoded, 40 reused"), "\(second.output)")
        let forced = runTool(["encode", "-q", "--force", "--only", "text"] + settings)
        #expect(
            forced.output.contains("text: builtin 512-d: 40 items, 40 encoded") && !forced.output.contains("image:"))
        // Same inputs, same vectors.
        #expect(
            try FeatureStore(contentsOf: directory + "/features/text.pxfs").withRows { Array($0) }
                == text.withRows { Array($0) })
    }

    @Test(
        "image cache: disk entries reused by encode --force (same vectors), a corrupt entry replaced; memory + precompute"
    )
    func imageCache() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let synth = runTool([
            "synth", "--users", "30", "--items", "12", "--interactions", "150", "--image-size", "40", "--seed", "6",
            "--out", directory + "/raw", "-q",
        ])
        #expect(synth.status == 0, "\(synth.error)")
        func settings(_ features: String) -> [String] {
            [
                "--only", "image", "--set", "model.vision_model=builtin",
                "--set", "data.item_info_path=\(directory)/raw/item_info.csv",
                "--set", "data.image_folder=\(directory)/raw/images",
                "--set", "data.processed_item_info_path=\(directory)/none/item_info.csv",
                "--set", "data.feature_store_path=\(directory)/\(features)",
                "--set", "data.image_cache_config.cache_directory=\(directory)/cache",
            ]
        }
        let plain = runTool(["encode", "-q"] + settings("plain"))
        #expect(plain.status == 0 && !plain.output.contains("image cache"), "\(plain.output)\(plain.error)")
        let disk =
            settings("cached") + [
                "--set", "data.cache_processed_images=true", "--set", "data.image_cache_config.strategy=disk",
            ]
        let first = runTool(["encode", "-q"] + disk)
        #expect(
            first.output.contains("image cache (disk, \(directory)/cache): 0 hits (memory 0, disk 0), 12 decoded"),
            "\(first.output)")
        let second = runTool(["encode", "-q", "--force"] + disk)
        #expect(second.output.contains("12 hits (memory 0, disk 12), 0 decoded, 0 stale"), "\(second.output)")
        let reference = try FeatureStore(contentsOf: directory + "/plain/image.pxfs")
        #expect(
            try FeatureStore(contentsOf: directory + "/cached/image.pxfs").withRows { Array($0) }
                == reference.withRows { Array($0) })
        // A damaged entry is recomputed; the vectors stay the same.
        let entries = try FileManager.default.contentsOfDirectory(atPath: directory + "/cache").filter {
            $0.hasSuffix(".pxc")
        }
        #expect(entries.count == 12)
        try Data("PXIC garbage".utf8).write(to: URL(fileURLWithPath: directory + "/cache/" + entries[0]))
        let third = runTool(["encode", "-q", "--force"] + disk)
        #expect(third.output.contains("11 hits (memory 0, disk 11), 1 decoded, 1 stale"), "\(third.output)")
        #expect(
            try FeatureStore(contentsOf: directory + "/cached/image.pxfs").withRows { Array($0) }
                == reference.withRows { Array($0) })
        // Memory only, filled before encoding: every encoder request is a memory hit.
        let memory = runTool(
            ["encode", "-q", "--force"] + settings("memory") + [
                "--set", "data.cache_processed_images=true", "--set", "data.image_cache_config.strategy=memory",
                "--set", "data.image_cache_config.precompute_at_startup=true",
            ])
        #expect(
            memory.output.contains("image cache (memory): 12 hits (memory 12, disk 0), 12 decoded"), "\(memory.output)")
    }

    @Test("encode on raw data: items without an image get flagged zero rows")
    func encodeRawWithMissingImages() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let synth = runTool([
            "synth", "--users", "30", "--items", "12", "--interactions", "150", "--image-size", "40", "--seed", "2",
            "--out", directory + "/raw", "-q",
        ])
        #expect(synth.status == 0, "\(synth.error)")
        let images = try FileManager.default.contentsOfDirectory(atPath: directory + "/raw/images").sorted()
        try FileManager.default.removeItem(atPath: directory + "/raw/images/" + images[0])
        try Data("corrupt".utf8).write(to: URL(fileURLWithPath: directory + "/raw/images/" + images[1]))
        let result = runTool([
            "encode", "-q", "--only", "image", "--set", "model.vision_model=builtin",
            "--set", "data.item_info_path=\(directory)/raw/item_info.csv",
            "--set", "data.image_folder=\(directory)/raw/images",
            "--set", "data.processed_item_info_path=\(directory)/none/item_info.csv",
            "--set", "data.feature_store_path=\(directory)/features",
        ])
        #expect(result.status == 0, "\(result.error)")
        #expect(result.output.contains("12 items, 10 encoded, 0 reused, 2 missing"), "\(result.output)")
        #expect(result.error.contains("warning: item"), "\(result.error)")
        let store = try FeatureStore(contentsOf: directory + "/features/image.pxfs")
        let missing = (0..<store.count).filter(store.isMissing)
        #expect(missing.count == 2)
        #expect(store.vector(for: store.ids[missing[0]])?.allSatisfy { $0 == 0 } == true)
    }

    @Test("embed writes an [n, d] float32 .npy; bad requests give one-line errors")
    func embed() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let output = directory + "/e.npy"
        let result = runTool([
            "embed", "--encoder", "builtin", "--text", "a red dress", "--text", "blue jeans", "--output", output,
        ])
        #expect(result.status == 0, "\(result.error)")
        let data = try Data(contentsOf: URL(fileURLWithPath: output))
        let header = String(decoding: data[10..<(10 + Int(data[8]) + Int(data[9]) << 8)], as: UTF8.self)
        #expect(header.contains("'shape': (2, 512)") && header.contains("'<f4'"))
        #expect(data.count == 10 + Int(data[8]) + Int(data[9]) << 8 + 2 * 512 * 4)
        let neither = runTool(["embed", "--encoder", "builtin", "--output", output])
        #expect(neither.status == 1 && neither.errorLines.count == 1)
        let modality = runTool(["embed", "--encoder", "bert", "--image", output, "--output", directory + "/f.npy"])
        #expect(modality.status == 1 && modality.error.contains("cannot embed images"), "\(modality.error)")
        let missingModel = runTool([
            "embed", "--encoder", "sentence-bert", "--model", directory + "/nope", "--text", "x", "--output", output,
        ])
        #expect(missingModel.status == 1 && missingModel.errorLines.count == 1, "\(missingModel.error)")
    }
}
