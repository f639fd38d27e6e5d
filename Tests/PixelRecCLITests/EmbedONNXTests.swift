import Foundation
import PixelONNX
import Testing

@testable import PixelRecCLI

/// `pixelrec embed` through an ONNX registry entry, against onnxruntime.
@Suite("Embed with ONNX encoders")
struct EmbedONNXTests {
    static var shared: String {
        ProcessInfo.processInfo.environment["PIXELREC_SHARED"].flatMap { $0.isEmpty ? nil : $0 }
            ?? URL(fileURLWithPath: packageRoot).deletingLastPathComponent().appendingPathComponent("shared").path
    }

    @Test(
        "embed --encoder sentence-bert with real MiniLM-L6 equals onnxruntime's sentence_embedding (cosine ≥ 0.99999)")
    func miniLM() throws {
        let model = Self.shared + "/models/real/minilm-l6-v2"
        guard FileManager.default.fileExists(atPath: model) else {
            print("skipped: \(model) not found (set PIXELREC_SHARED)")
            return
        }
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let output = directory + "/e.npy"
        let result = runTool([
            "embed", "--encoder", "sentence-bert", "--model", model, "--text", "a red cotton summer dress", "--output",
            output,
        ])
        #expect(result.status == 0, "\(result.error)")
        let ours = try NumpyArray.read(output)
        let reference = try NumpyArray.read(model + "/single_output_sentence_embedding.npy")
        #expect(ours.shape == [1, 384])
        var dot = 0.0, a = 0.0, b = 0.0
        for (x, y) in zip(ours.floats, reference.floats) {
            dot += Double(x) * Double(y)
            a += Double(x) * Double(x)
            b += Double(y) * Double(y)
        }
        #expect(dot / (a * b).squareRoot() >= 0.99999)
    }
}
