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

    /// A protobuf field: tag, then a varint or a length-delimited body (enough to hand-build small ONNX models).
    static func field(_ number: Int, _ value: Int64) -> [UInt8] {
        varint(UInt64(number << 3)) + varint(UInt64(bitPattern: value))
    }
    static func field(_ number: Int, _ body: [UInt8]) -> [UInt8] {
        varint(UInt64(number << 3 | 2)) + varint(UInt64(body.count)) + body
    }
    static func field(_ number: Int, _ text: String) -> [UInt8] { field(number, Array(text.utf8)) }
    static func varint(_ value: UInt64) -> [UInt8] {
        var n = value, out: [UInt8] = []
        repeat { out.append(UInt8(n & 0x7F) | (n >> 7 != 0 ? 0x80 : 0)); n >>= 7 } while n != 0
        return out
    }

    /// `y = Tile(x, repeats)` with x float32[4] and repeats an int64 initializer.
    static func tileModel(repeats: Int64) -> [UInt8] {
        let node = field(1, "x") + field(1, "r") + field(2, "y") + field(3, "tile") + field(4, "Tile")
        let repeatsTensor =
            field(1, varint(1)) + field(2, Int64(7)) + field(8, "r") + field(7, varint(UInt64(bitPattern: repeats)))
        func value(_ name: String) -> [UInt8] {
            field(1, name) + field(2, field(1, field(1, Int64(1)) + field(2, field(1, field(1, Int64(4))))))
        }
        let graph =
            field(1, node) + field(2, "g") + field(5, repeatsTensor) + field(11, value("x")) + field(12, value("y"))
        return field(1, Int64(8)) + field(7, graph) + field(8, field(2, Int64(17)))
    }

    @Test("run on a hostile model (Tile repeats Int64.max) is one error line naming the file and node, exit 1")
    func hostileModel() throws {
        let folder = try temporaryDirectory()
        let model = folder + "/tile.onnx", input = folder + "/x.npy"
        try Data(Self.tileModel(repeats: .max)).write(to: URL(fileURLWithPath: model))
        try NumpyArray.write(try ONNXValue(floats: [1, 2, 3, 4], shape: [4]), to: input)
        let result = runTool(["onnx", "run", model, "--input", "x=\(input)", "--output", folder + "/out"])
        #expect(result.status == 1)
        #expect(
            result.errorLines == [
                "error: \(model): node 'tile' (Tile): dimension 0 × repeats 9223372036854775807 overflows"
            ])
        #expect(!FileManager.default.fileExists(atPath: folder + "/out"))
        // The same model with a sane repeat count runs.
        try Data(Self.tileModel(repeats: 2)).write(to: URL(fileURLWithPath: model))
        let ok = runTool(["onnx", "run", model, "--input", "x=\(input)", "--output", folder + "/out"])
        #expect(ok.status == 0, "\(ok.error)")
        #expect(try NumpyArray.read(folder + "/out/y.npy").floats == [1, 2, 3, 4, 1, 2, 3, 4])
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
