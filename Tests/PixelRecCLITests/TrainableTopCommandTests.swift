import Foundation
import Testing

@testable import PixelRecCLI

/// Commands with `model.trainable_encoder_layers` (issue 14): none of them may silently do less than asked.
@Suite("Trainable encoder tops: commands")
struct TrainableTopCommandTests {
    @Test("train with a trainable text top stops with one line naming the key (the training wiring is not built)")
    func trainRefuses() throws {
        let result = runTool([
            "train", "-q", "--set", "model.language_model=sentence-bert", "--set", "model.freeze_language=false",
            "--set", "model.trainable_encoder_layers=1",
        ])
        #expect(result.status == 1)
        let errors = result.errorLines.filter { $0.hasPrefix("error: ") }
        #expect(errors.count == 1)
        #expect(
            errors.first?.hasPrefix(
                "error: model.trainable_encoder_layers: 1 with model.freeze_language: false: training the text encoder's top blocks is not implemented yet"
            ) == true, "\(result.error)")
        // The config's warning at the key comes first.
        #expect(
            result.error.contains("warning: --set model.trainable_encoder_layers=1: model.trainable_encoder_layers: "))
    }
}
