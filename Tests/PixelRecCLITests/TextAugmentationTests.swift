import Foundation
import PixelEncoders
import PixelModels
import PixelSession
import Testing

@testable import PixelRecCLI

/// `data.text_augmentation`: `encode` writes the views store, `train` reads it.
@Suite("Text augmentation (encode → text_views.pxfs → train)", .serialized)
struct TextAugmentationTests {
    static func settings(_ directory: String) -> [String] {
        [
            "--set", "model.vision_model=builtin", "--set", "model.language_model=builtin",
            "--set", "data.item_info_path=\(directory)/raw/item_info.csv",
            "--set", "data.interactions_path=\(directory)/raw/interactions.csv",
            "--set", "data.image_folder=\(directory)/raw/images",
            "--set", "data.processed_item_info_path=\(directory)/none/item_info.csv",
            "--set", "data.feature_store_path=\(directory)/features",
            "--set", "data.split_data_path=\(directory)/split",
            "--set", "data.train_data_path=\(directory)/split/train.csv",
            "--set", "data.val_data_path=\(directory)/split/val.csv",
            "--set", "data.test_data_path=\(directory)/split/test.csv",
            "--set", "model.embedding_dim=16", "--set", "training.epochs=1", "--set", "training.threads=1",
            "--set", "data.text_augmentation.n_views=3",
        ]
    }

    @Test("views: n_views per item, equal to the clean vectors at p = 0, rebuilt when a setting changes, read by train")
    func endToEnd() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let synth = runTool([
            "synth", "--users", "40", "--items", "20", "--interactions", "380", "--image-size", "24", "--seed", "4",
            "--out", directory + "/raw", "-q",
        ])
        #expect(synth.status == 0, "\(synth.error)")
        let base = Self.settings(directory)
        let on = base + ["--set", "data.text_augmentation.enabled=true"]
        // p = 0: every view is the clean text, so every view vector equals the item's text vector.
        let zero = runTool(["encode", "-q", "--set", "data.text_augmentation.delete_prob=0"] + on)
        #expect(zero.status == 0, "\(zero.error)")
        #expect(zero.output.contains("60 items, 60 encoded"), "\(zero.output)")
        let text = try FeatureStore(contentsOf: directory + "/features/text.pxfs")
        var views = try FeatureStore(contentsOf: directory + "/features/text_views.pxfs")
        #expect(views.count == 3 * text.count)
        for id in text.ids {
            for v in 1...3 {
                #expect(views.vector(for: ItemFeatures.viewKey(id, v)) == text.vector(for: id), "\(id) \(v)")
            }
        }
        // p = .3: the store is rebuilt (another identity) and views differ from the clean text.
        let edited = runTool(["encode", "-q", "--set", "data.text_augmentation.delete_prob=0.3"] + on)
        #expect(edited.output.contains("60 items, 60 encoded, 0 reused"), "\(edited.output)")
        views = try FeatureStore(contentsOf: directory + "/features/text_views.pxfs")
        let changed = text.ids.filter { views.vector(for: ItemFeatures.viewKey($0, 1)) != text.vector(for: $0) }
        #expect(changed.count > text.count / 2, "\(changed.count) of \(text.count)")
        let again = runTool(["encode", "-q", "--set", "data.text_augmentation.delete_prob=0.3"] + on)
        #expect(again.output.contains("0 encoded, 60 reused"), "\(again.output)")
        // Training with and without the views trains other weights; a missing views store is encoded by train.
        #expect(runTool(["split", "-q"] + base).status == 0)
        func train(_ extra: [String], _ name: String) throws -> (log: String, weights: [String: [Float]]) {
            let run = runTool(["train", "--set", "checkpoint_dir=\(directory)/\(name)"] + extra)
            #expect(run.status == 0, "\(run.error)")
            let checkpoint = try Checkpoint.read(from: "\(directory)/\(name)/last.ckpt")
            return (run.output + run.error, checkpoint.tensors.mapValues(\.scalars))
        }
        try FileManager.default.removeItem(atPath: directory + "/features/text_views.pxfs")
        let withViews = try train(on + ["--set", "data.text_augmentation.delete_prob=0.3"], "on")
        #expect(FileManager.default.fileExists(atPath: directory + "/features/text_views.pxfs"))
        #expect(withViews.log.contains("text augmentation: 3 views per item"), "\(withViews.log)")
        let without = try train(base, "off")
        #expect(!without.log.contains("text augmentation"))
        #expect(withViews.weights != without.weights)
    }
}
