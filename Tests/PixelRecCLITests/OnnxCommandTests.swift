import Foundation
import PixelONNX
import Testing

@testable import PixelRecCLI

/// `pixelrec onnx inspect|run` on the tiny BERT export, against its onnxruntime reference outputs.
@Suite("ONNX commands")
struct OnnxCommandTests {
    static let model: String? = {
        let shared = ProcessInfo.processInfo.environment["PIXELREC_SHARED"] ?? packageRoot + "/../shared"
        let directory = shared + "/models/tiny/bert"
        return FileManager.default.fileExists(atPath: directory + "/tiny-bert.onnx") ? directory : nil
    }()

    @Test("inspect lists inputs, outputs and the opset")
    func inspect() throws {
        guard let directory = Self.model else {
            print("skipping: tiny BERT not found under ../shared (set PIXELREC_SHARED)")
            return
        }
        let result = runTool(["onnx", "inspect", directory + "/tiny-bert.onnx"])
        #expect(result.status == 0, "\(result.error)")
        for fragment in ["input_ids", "attention_mask", "sentence_embedding", "opset: ai.onnx"] {
            #expect(result.output.contains(fragment))
        }
    }

    @Test("run writes .npy outputs equal to onnxruntime's (max abs diff ≤ 1e-4)")
    func run() throws {
        guard let directory = Self.model else {
            print("skipping: tiny BERT not found under ../shared (set PIXELREC_SHARED)")
            return
        }
        let output = try temporaryDirectory()
        let inputs = ["input_ids", "attention_mask", "token_type_ids"].flatMap {
            ["--input", "\($0)=\(directory)/single_input_\($0).npy"]
        }
        let result = runTool(["onnx", "run", directory + "/tiny-bert.onnx"] + inputs + ["--output", output])
        #expect(result.status == 0, "\(result.error)")
        let ours = try NumpyArray.read(output + "/last_hidden_state.npy")
        let reference = try NumpyArray.read(directory + "/single_output_last_hidden_state.npy")
        #expect(ours.shape == reference.shape)
        let difference = zip(ours.floats, reference.floats).map { abs($0 - $1) }.max() ?? .infinity
        #expect(difference <= 1e-4)
    }

    @Test("a file that is not ONNX is one line naming it, exit 1")
    func notOnnx() throws {
        let path = try writeTemporaryFile("model.onnx", "not a model at all\n")
        let result = runTool(["onnx", "inspect", path])
        #expect(result.status == 1)
        #expect(result.errorLines.count == 1)
        #expect(result.error.contains(path))
    }
}
