import Foundation
import PixelONNX
import Testing

/// Loader, API and file-format tests on hand-built models (no external data needed).
@Suite("ONNX loader, API and .npy")
struct LoaderTests {
    typealias W = ProtoWriter

    /// `y = x + w` with `w` given in the requested encoding.
    static func addModel(_ w: [UInt8]) -> [UInt8] {
        W.model(
            nodes: [W.node("Add", ["x", "w"], ["y"])], initializers: [w],
            inputs: [W.valueInfo("x", type: 1, dims: ["n", 3])], outputs: [W.valueInfo("y", type: 1, dims: ["n", 3])])
    }

    @Test("raw, typed, packed and unpacked initializers decode to the same values")
    func encodings() throws {
        let variants = [
            W.tensor("w", dims: [3], type: 1, raw: W.floatBytes([1, 2, 3])),
            W.tensor("w", dims: [3], type: 1, floats: [1, 2, 3]),
            W.tensor("w", dims: [3], type: 1, floats: [1, 2, 3], packed: false),
        ]
        let x = try ONNXValue(floats: [10, 20, 30, 40, 50, 60], shape: [2, 3])
        for v in variants {
            let model = try ONNXModel(bytes: Self.addModel(v))
            let y = try #require(try model.run(["x": x])["y"])
            #expect(y.shape == [2, 3])
            #expect(y.floats == [11, 22, 33, 41, 52, 63])
        }
    }

    @Test("int64 tensors: packed and unpacked repeated fields agree")
    func int64Fields() throws {
        for packed in [true, false] {
            let model = W.model(
                nodes: [W.node("Reshape", ["x", "s"], ["y"])],
                initializers: [W.tensor("s", dims: [2], type: 7, int64s: [-1, 2], packed: packed)],
                inputs: [W.valueInfo("x", type: 1, dims: [2, 3])], outputs: [W.valueInfo("y", type: 1, dims: [3, 2])])
            let y = try #require(
                try ONNXModel(bytes: model).run(["x": ONNXValue(floats: [1, 2, 3, 4, 5, 6], shape: [2, 3])])["y"])
            #expect(y.shape == [3, 2])
        }
    }

    @Test("every truncation of a valid model is a thrown error, never a crash")
    func truncation() throws {
        let bytes = Self.addModel(W.tensor("w", dims: [3], type: 1, raw: W.floatBytes([1, 2, 3])))
        var failures = 0
        for n in 0..<bytes.count {
            do { _ = try ONNXModel(bytes: Array(bytes[0..<n])) } catch { failures += 1 }
        }
        // Some prefixes are valid messages missing later fields; most must fail with an error.
        #expect(failures > bytes.count / 2)
        #expect(throws: ONNXError.self) { try ONNXModel(bytes: [0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F]) }
        #expect(throws: ONNXError.self) { try ONNXModel(bytes: [0x3A, 0x05, 0x0A]) }
    }

    @Test("external data is read relative to the model and may not escape its directory")
    func externalData() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "pixelrec-onnx-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        // 8 junk bytes, then the three floats.
        try Data([0, 0, 0, 0, 0, 0, 0, 0] + W.floatBytes([1, 2, 3])).write(to: dir.appendingPathComponent("w.bin"))
        let good = Self.addModel(
            W.tensor("w", dims: [3], type: 1, external: [("location", "w.bin"), ("offset", "8"), ("length", "12")]))
        try Data(good).write(to: dir.appendingPathComponent("good.onnx"))
        let model = try ONNXModel(contentsOf: dir.appendingPathComponent("good.onnx").path)
        let y = try #require(try model.run(["x": ONNXValue(floats: [0, 0, 0], shape: [1, 3])])["y"])
        #expect(y.floats == [1, 2, 3])
        for location in ["../w.bin", "/etc/passwd", "sub/../../w.bin"] {
            let bad = Self.addModel(W.tensor("w", dims: [3], type: 1, external: [("location", location)]))
            try Data(bad).write(to: dir.appendingPathComponent("bad.onnx"))
            #expect(throws: ONNXError.self) { try ONNXModel(contentsOf: dir.appendingPathComponent("bad.onnx").path) }
        }
        let pastEnd = Self.addModel(
            W.tensor("w", dims: [3], type: 1, external: [("location", "w.bin"), ("offset", "16")]))
        try Data(pastEnd).write(to: dir.appendingPathComponent("past.onnx"))
        #expect(throws: ONNXError.self) { try ONNXModel(contentsOf: dir.appendingPathComponent("past.onnx").path) }
    }

    @Test("unknown operators and bad attributes are rejected at load, naming the node")
    func loadTimeValidation() throws {
        let unknown = W.model(
            nodes: [W.node("FancyOp", ["x"], ["y"], name: "n1")], initializers: [],
            inputs: [W.valueInfo("x", type: 1, dims: [1])], outputs: [W.valueInfo("y", type: 1, dims: [1])])
        #expect(throws: ONNXError.unsupportedOperator(node: "n1", op: "FancyOp", domain: "", version: 17)) {
            try ONNXModel(bytes: unknown)
        }
        let badPads = W.model(
            nodes: [
                W.node(
                    "MaxPool", ["x"], ["y"],
                    attributes: [W.intsAttribute("kernel_shape", [2, 2]), W.intsAttribute("pads", [-1, 0, 0, 0])],
                    name: "p")
            ],
            initializers: [], inputs: [W.valueInfo("x", type: 1, dims: [1, 1, 4, 4])],
            outputs: [W.valueInfo("y", type: 1, dims: [1, 1, 3, 3])])
        #expect(throws: ONNXError.self) { try ONNXModel(bytes: badPads) }
        let cycle = W.model(
            nodes: [W.node("Relu", ["b"], ["a"]), W.node("Relu", ["a"], ["b"])], initializers: [],
            inputs: [W.valueInfo("x", type: 1, dims: [1])], outputs: [W.valueInfo("a", type: 1, dims: [1])])
        #expect(throws: ONNXError.self) { try ONNXModel(bytes: cycle) }
    }

    @Test("run validates inputs: missing, wrong type, wrong fixed dimension, unknown name")
    func inputValidation() throws {
        let model = try ONNXModel(bytes: Self.addModel(W.tensor("w", dims: [3], type: 1, floats: [1, 2, 3])))
        #expect(model.inputs.map(\.name) == ["x"])
        #expect(model.inputs[0].typeDescription == "float32[n, 3]")
        #expect(throws: ONNXError.self) { try model.run([:]) }
        #expect(throws: ONNXError.self) { try model.run(["x": ONNXValue(int64s: [1, 2, 3], shape: [1, 3])]) }
        #expect(throws: ONNXError.self) { try model.run(["x": ONNXValue(floats: [1, 2], shape: [1, 2])]) }
        #expect(throws: ONNXError.self) {
            try model.run(["x": ONNXValue(floats: [1, 2, 3], shape: [1, 3]), "z": ONNXValue(floats: [1], shape: [1])])
        }
    }

    @Test("shape folding: a Shape→Gather→Concat→Reshape chain gives the same result on every run and batch size")
    func shapeFolding() throws {
        let model = W.model(
            nodes: [
                W.node("Shape", ["x"], ["s"]), W.node("Gather", ["s", "i0"], ["g"]),
                W.node("Unsqueeze", ["g", "ax"], ["u"]),
                W.node(
                    "Concat", ["u", "m1"], ["shape"], attributes: [W.string(1, "axis") + W.int(20, 2) + W.int(3, 0)]),
                W.node("Reshape", ["x", "shape"], ["y"]),
            ],
            initializers: [
                W.tensor("i0", dims: [], type: 7, int64s: [0]), W.tensor("ax", dims: [1], type: 7, int64s: [0]),
                W.tensor("m1", dims: [1], type: 7, int64s: [-1]),
            ],
            inputs: [W.valueInfo("x", type: 1, dims: ["a", 2, 3])],
            outputs: [W.valueInfo("y", type: 1, dims: ["a", 6])])
        let m = try ONNXModel(bytes: model)
        for batch in [1, 3, 1, 3] {
            let x = try ONNXValue(floats: (0..<(batch * 6)).map(Float.init), shape: [batch, 2, 3])
            let y = try #require(try m.run(["x": x])["y"])
            #expect(y.shape == [batch, 6])
            #expect(y.floats == x.floats)
        }
    }

    @Test("npy round trip for float32, int64 and bool; malformed headers are errors")
    func numpy() throws {
        let values = [
            try ONNXValue(floats: [1.5, -2, 3.25, 0, 7, 8], shape: [2, 3]),
            try ONNXValue(int64s: [1, -2, Int64.max], shape: [3]),
            try ONNXValue(bools: [true, false], shape: [2, 1]),
            try ONNXValue(floats: [42], shape: []),
        ]
        for v in values {
            let bytes = NumpyArray.encode(v)
            #expect((bytes.count - Int(bytes[8]) - 10) == v.count * v.elementType.byteSize)
            #expect((10 + Int(bytes[8]) + Int(bytes[9]) << 8) % 64 == 0)
            let back = try NumpyArray.decode(bytes)
            #expect(back.shape == v.shape && back.elementType == v.elementType)
            #expect(back.floats == v.floats)
        }
        #expect(throws: ONNXError.self) { try NumpyArray.decode(Array("not numpy".utf8)) }
        var truncated = NumpyArray.encode(values[0])
        truncated.removeLast()
        #expect(throws: ONNXError.self) { try NumpyArray.decode(truncated) }
    }

    @Test("the fuzz seeds and any kept crashers load or fail cleanly")
    func fuzzRegressions() throws {
        let root = TestPaths.packageRoot + "/Fuzz/ONNXFuzz"
        var checked = 0
        for sub in ["Seeds", "Regressions"] {
            let dir = root + "/" + sub
            for name in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] {
                let data = try #require(FileManager.default.contents(atPath: dir + "/" + name))
                if let model = try? ONNXModel(bytes: [UInt8](data)) { _ = ONNXInspection.report(model) }
                checked += 1
            }
        }
        #expect(checked >= 4)
    }
}

@Suite("ONNX inspection and npy runner")
struct InspectionTests {
    @Test("report lists inputs, outputs, opset, op counts and parameters; run writes one npy per output")
    func reportAndRun() throws {
        let path = TestPaths.models + "/tiny/bert/tiny-bert.onnx"
        guard TestPaths.exists(path) else {
            print("skipped: \(path) is absent (set PIXELREC_SHARED)")
            return
        }
        let report = try ONNXInspection.report(path)
        for needle in [
            "inputs:", "input_ids: int64[", "outputs:", "last_hidden_state: float32[", "opset: ai.onnx 17", "MatMul",
            "parameters:",
        ] {
            #expect(report.contains(needle), "report lacks \(needle)")
        }
        let dir = NSTemporaryDirectory() + "pixelrec-onnx-run-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let folder = TestPaths.models + "/tiny/bert"
        let written = try ONNXInspection.run(
            modelPath: path,
            inputs: [
                "input_ids": folder + "/single_input_input_ids.npy",
                "attention_mask": folder + "/single_input_attention_mask.npy",
                "token_type_ids": folder + "/single_input_token_type_ids.npy",
            ],
            outputDirectory: dir)
        #expect(
            written.map { ($0 as NSString).lastPathComponent } == ["last_hidden_state.npy", "sentence_embedding.npy"])
        let ours = try NumpyArray.read(dir + "/sentence_embedding.npy")
        let reference = try NumpyArray.read(folder + "/single_output_sentence_embedding.npy")
        #expect(ours.shape == reference.shape)
        #expect(Compare.maxAbsDiff(ours.floats, reference.floats) <= 1e-5)
    }
}
