import Foundation
import PixelEncoders
import Testing

@testable import PixelRecCLI

/// Commands with `model.trainable_encoder_layers` (issue 14): none of them may silently do less than asked.
@Suite("Trainable encoder tops: commands")
struct TrainableTopCommandTests {
    @Test(
        "encode with N = 1 and freeze_language: false writes text_top.pxhs next to text.pxfs (real MiniLM-L6, 3 items)")
    func encodeWritesHiddenStates() throws {
        let model = EmbedONNXTests.shared + "/models/real/minilm-l6-v2"
        guard FileManager.default.fileExists(atPath: model) else {
            print("skipped: \(model) not found (set PIXELREC_SHARED)")
            return
        }
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory + "/images", withIntermediateDirectories: true)
        try "item_id,title,description\ni1,Space opera,A crew adrift\ni2,,\ni3,Lighthouse keepers,On the coast\n"
            .write(toFile: directory + "/item_info.csv", atomically: true, encoding: .utf8)
        let settings = [
            "--set", "model.language_model=sentence-bert", "--set", "model.language_model_path=\(model)",
            "--set", "model.freeze_language=false", "--set", "model.trainable_encoder_layers=1",
            "--set", "data.item_info_path=\(directory)/item_info.csv", "--set", "data.image_folder=\(directory)/images",
            "--set", "data.processed_item_info_path=\(directory)/none/item_info.csv",
            "--set", "data.feature_store_path=\(directory)/features",
        ]
        let result = runTool(["encode", "-q", "--only", "text"] + settings)
        #expect(result.status == 0, "\(result.error)")
        #expect(result.output.contains("text: sentence-bert 384-d: 3 items, 2 encoded"), "\(result.output)")
        #expect(result.output.contains("text top states: sentence-bert"), "\(result.output)")
        #expect(result.output.contains("3 items × ["), "\(result.output)")
        let cache = try HiddenStateCache(contentsOf: directory + "/features/text_top.pxhs")
        #expect(cache.ids == ["i1", "i2", "i3"] && cache.lengths[1] == 0 && cache.width == 384)
        #expect(!result.error.contains("warning"), "\(result.error)")
    }
}
