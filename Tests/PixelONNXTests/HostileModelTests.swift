import Foundation
import PixelONNX
import Testing

/// Hostile models built in the test: extreme attributes, shape inputs and initializer fields must end in
/// one ONNXError naming the node (or tensor), never a trap, an overflow or a huge allocation.
@Suite("ONNX hostile models")
struct HostileModelTests {
    typealias W = ProtoWriter
    static let i64Max = Int64.max, i64Min = Int64.min

    static func intAttribute(_ name: String, _ value: Int64) -> [UInt8] {
        W.string(1, name) + W.int(20, 2) + W.int(3, value)
    }
    static func stringAttribute(_ name: String, _ value: String) -> [UInt8] {
        W.string(1, name) + W.int(20, 3) + W.bytes(4, Array(value.utf8))
    }
    static func ints(_ name: String, _ values: [Int64]) -> [UInt8] {
        W.tensor(name, dims: [Int64(values.count)], type: 7, int64s: values)
    }
    static func scalar(_ name: String, _ value: Float) -> [UInt8] { W.tensor(name, dims: [], type: 1, floats: [value]) }
    static func scalar(_ name: String, _ value: Int64) -> [UInt8] { W.tensor(name, dims: [], type: 7, int64s: [value]) }

    /// One node `op` reading `x` (float, `xShape`) and the named initializers, producing `y`.
    static func graph(
        _ op: String, inputs: [String] = ["x"], xShape: [Any] = [4], initializers: [[UInt8]] = [],
        attributes: [[UInt8]] = [], outputs: [String] = ["y"], opset: Int64 = 17
    ) -> [UInt8] {
        W.model(
            nodes: [W.node(op, inputs, outputs, attributes: attributes, name: "n")], initializers: initializers,
            inputs: inputs.contains("x") ? [W.valueInfo("x", type: 1, dims: xShape)] : [],
            outputs: outputs.map { W.valueInfo($0, type: 1, dims: ["d"]) }, opset: opset)
    }

    static let x4 = try! ONNXValue(floats: [1, 2, 3, 4], shape: [4])

    /// The error of loading `bytes` and running it on `x` (when it has an input), as printed; nil when it succeeds.
    static func failure(_ bytes: [UInt8], x: ONNXValue? = x4) -> String? {
        do {
            let model = try ONNXModel(bytes: bytes)
            let feeds = model.inputs.isEmpty ? [:] : ["x": x ?? x4]
            _ = try model.run(feeds)
            _ = try model.run(feeds)  // the shape-specialized plan
            return nil
        } catch {
            return "\(error)"
        }
    }

    static func output(_ bytes: [UInt8], x: ONNXValue = x4) throws -> ONNXValue {
        let model = try ONNXModel(bytes: bytes)
        let first = try #require(try model.run(["x": x])["y"])
        let second = try #require(try model.run(["x": x])["y"])
        #expect(first.shape == second.shape && first.floats == second.floats)
        return first
    }

    @Test("Slice: steps of Int64.max and Int64.min and extreme starts/ends take one element or clamp, never overflow")
    func sliceExtremes() throws {
        func slice(_ starts: Int64, _ ends: Int64, _ step: Int64) -> [UInt8] {
            Self.graph(
                "Slice", inputs: ["x", "s", "e", "a", "p"],
                initializers: [
                    Self.ints("s", [starts]), Self.ints("e", [ends]), Self.ints("a", [0]), Self.ints("p", [step]),
                ])
        }
        #expect(try Self.output(slice(0, Self.i64Max, Self.i64Max)).floats == [1])
        #expect(try Self.output(slice(-1, Self.i64Min, Self.i64Min)).floats == [4])
        #expect(try Self.output(slice(Self.i64Min, Self.i64Max, 1)).floats == [1, 2, 3, 4])
        #expect(try Self.output(slice(Self.i64Max, Self.i64Min, -1)).floats == [4, 3, 2, 1])
        #expect(try Self.output(slice(Self.i64Max, Self.i64Min, -(1 << 62))).floats == [4])
        #expect(try Self.output(slice(1, 4, 2)).floats == [2, 4])
        #expect(Self.failure(slice(0, 4, 0)) == "node 'n' (Slice): step 0")
        let badAxis = Self.graph(
            "Slice", inputs: ["x", "s", "e", "a"],
            initializers: [Self.ints("s", [0]), Self.ints("e", [1]), Self.ints("a", [Self.i64Min])])
        #expect(Self.failure(badAxis) == "node 'n' (Slice): axis -9223372036854775808 is out of range for rank 1")
    }

    @Test("Range: an infinite, NaN or huge element count is an error before anything is allocated")
    func rangeCounts() throws {
        func range(_ start: [UInt8], _ limit: [UInt8], _ delta: [UInt8]) -> [UInt8] {
            Self.graph("Range", inputs: ["a", "b", "d"], initializers: [start, limit, delta])
        }
        #expect(
            Self.failure(
                range(Self.scalar("a", Float(0)), Self.scalar("b", Float(3e38)), Self.scalar("d", Float(1e-30))))
                == "node 'n' (Range): an infinite number of elements (inf) exceeds the limit of 2147483648")
        #expect(
            Self.failure(
                range(
                    Self.scalar("a", -Float.greatestFiniteMagnitude), Self.scalar("b", Float.greatestFiniteMagnitude),
                    Self.scalar("d", Float(1))))
                == "node 'n' (Range): an infinite number of elements (inf) exceeds the limit of 2147483648")
        #expect(
            Self.failure(range(Self.scalar("a", Float(0)), Self.scalar("b", Float(10)), Self.scalar("d", Float.nan)))
                == "node 'n' (Range): start 0.0, limit 10.0 and delta nan must be finite, delta nonzero")
        #expect(
            Self.failure(
                range(Self.scalar("a", Self.i64Min), Self.scalar("b", Self.i64Max), Self.scalar("d", Int64(1))))
                == "node 'n' (Range): a number of elements (18446744073709551615) exceeds the limit of 2147483648")
        #expect(
            Self.failure(
                range(Self.scalar("a", Int64(0)), Self.scalar("b", Int64(1) << 40), Self.scalar("d", Int64(1))))
                == "node 'n' (Range): a number of elements (1099511627776) exceeds the limit of 2147483648")
        #expect(
            Self.failure(range(Self.scalar("a", Int64(0)), Self.scalar("b", Int64(5)), Self.scalar("d", Int64(0))))
                == "node 'n' (Range): delta is 0")
        // Ordinary and empty ranges still work.
        let ok = W.model(
            nodes: [W.node("Range", ["a", "b", "d"], ["y"], name: "n")],
            initializers: [
                Self.scalar("a", Self.i64Max - 2), Self.scalar("b", Self.i64Max), Self.scalar("d", Int64(1)),
            ],
            inputs: [], outputs: [W.valueInfo("y", type: 7, dims: ["d"])])
        #expect(try ONNXModel(bytes: ok).run([:])["y"]?.int64s == [Self.i64Max - 2, Self.i64Max - 1])
    }

    @Test("Conv and pools: a kernel larger than the (padded) input is an error, not an empty output")
    func convKernelLargerThanInput() throws {
        let x = try ONNXValue(floats: [Float](repeating: 1, count: 9), shape: [1, 1, 3, 3])
        let conv = Self.graph(
            "Conv", inputs: ["x", "w"], xShape: [1, 1, 3, 3],
            initializers: [W.tensor("w", dims: [1, 1, 5, 5], type: 1, floats: [Float](repeating: 1, count: 25))])
        #expect(
            Self.failure(conv, x: x)
                == "node 'n' (Conv): kernel extent 5 (kernel 5, dilation 1) is larger than the padded input 3 along spatial axis 0"
        )
        let dilated = Self.graph(
            "Conv", inputs: ["x", "w"], xShape: [1, 1, 3, 3],
            initializers: [W.tensor("w", dims: [1, 1, 2, 2], type: 1, floats: [1, 1, 1, 1])],
            attributes: [W.intsAttribute("dilations", [1, 65536]), W.intsAttribute("pads", [1, 1, 1, 1])])
        #expect(
            Self.failure(dilated, x: x)
                == "node 'n' (Conv): kernel extent 65537 (kernel 2, dilation 65536) is larger than the padded input 5 along spatial axis 1"
        )
        let valid = Self.graph(
            "Conv", inputs: ["x", "w"], xShape: [1, 1, 3, 3],
            initializers: [W.tensor("w", dims: [1, 1, 4, 1], type: 1, floats: [1, 1, 1, 1])],
            attributes: [Self.stringAttribute("auto_pad", "VALID")])
        #expect(
            Self.failure(valid, x: x)
                == "node 'n' (Conv): kernel extent 4 (kernel 4, dilation 1) is larger than the input 3 along spatial axis 0"
        )
        let pool = Self.graph("MaxPool", xShape: [1, 1, 3, 3], attributes: [W.intsAttribute("kernel_shape", [2, 4])])
        #expect(
            Self.failure(pool, x: x)
                == "node 'n' (MaxPool): kernel extent 4 (kernel 4, dilation 1) is larger than the padded input 3 along spatial axis 1"
        )
        // Attributes outside the supported range are refused at load.
        for (name, values, reason) in [
            ("strides", [Self.i64Max, 1], "values out of range"), ("dilations", [0, 1], "values must be >= 1"),
            ("pads", [Self.i64Min, 0, 0, 0], "values out of range"),
            ("pads", [1 << 20, 0, 0, 0], "values must be in 0...65536"),
            ("kernel_shape", [1 << 31, 1], "values must be <= 65536"),
        ] {
            let m = Self.graph(
                "AveragePool", xShape: [1, 1, 3, 3],
                attributes: name == "kernel_shape"
                    ? [W.intsAttribute(name, values)]
                    : [W.intsAttribute("kernel_shape", [2, 2]), W.intsAttribute(name, values)])
            #expect(Self.failure(m, x: x) == "node 'n' (AveragePool): attribute '\(name)': \(reason)")
        }
        let group = Self.graph(
            "Conv", inputs: ["x", "w"], xShape: [1, 1, 3, 3],
            initializers: [W.tensor("w", dims: [1, 1, 1, 1], type: 1, floats: [1])],
            attributes: [Self.intAttribute("group", Self.i64Min)])
        #expect(
            Self.failure(group, x: x)
                == "node 'n' (Conv): attribute 'group': value -9223372036854775808 is out of range")
    }

    @Test("Reshape, Expand, Tile, ConstantOfShape: target shapes whose product overflows or is huge are errors")
    func shapeProducts() throws {
        let empty = try ONNXValue(floats: [], shape: [0])
        func reshape(_ target: [Int64], allowZero: Bool = false) -> [UInt8] {
            Self.graph(
                "Reshape", inputs: ["x", "s"], xShape: ["a"], initializers: [Self.ints("s", target)],
                attributes: allowZero ? [Self.intAttribute("allowzero", 1)] : [])
        }
        #expect(
            Self.failure(reshape([1 << 32, 1 << 32, 0], allowZero: true), x: empty)
                == "node 'n' (Reshape): cannot reshape [0] to [4294967296, 4294967296, 0]")
        #expect(
            Self.failure(reshape([0, 1 << 40], allowZero: true), x: empty)
                == "node 'n' (Reshape): output shape [0, 1099511627776] exceeds the limit of 2147483648 elements")
        #expect(
            Self.failure(reshape([-1, Self.i64Max, 2]))
                == "node 'n' (Reshape): cannot reshape [4] to [-1, 9223372036854775807, 2]")
        #expect(
            Self.failure(reshape([Self.i64Min]))
                == "node 'n' (Reshape): invalid dimension -9223372036854775808 in shape [-9223372036854775808]")
        #expect(try Self.output(reshape([2, -1])).shape == [2, 2])

        let expand = Self.graph("Expand", inputs: ["x", "s"], initializers: [Self.ints("s", [1 << 31, 1 << 31, 4])])
        #expect(
            Self.failure(expand)
                == "node 'n' (Expand): output shape [2147483648, 2147483648, 4] exceeds the limit of 2147483648 elements"
        )
        let expandEmpty = Self.graph("Expand", inputs: ["x", "s"], initializers: [Self.ints("s", [0, 1 << 40, 4])])
        #expect(
            Self.failure(expandEmpty)
                == "node 'n' (Expand): output shape [0, 1099511627776, 4] exceeds the limit of 2147483648 elements")

        let tile = Self.graph("Tile", inputs: ["x", "r"], initializers: [Self.ints("r", [Self.i64Max])])
        #expect(Self.failure(tile) == "node 'n' (Tile): dimension 0 × repeats 9223372036854775807 overflows")
        let tileHuge = Self.graph("Tile", inputs: ["x", "r"], initializers: [Self.ints("r", [1 << 40])])
        #expect(
            Self.failure(tileHuge)
                == "node 'n' (Tile): output shape [4398046511104] exceeds the limit of 2147483648 elements")

        let fill = Self.graph("ConstantOfShape", inputs: ["s"], initializers: [Self.ints("s", [1 << 62, 4, 0])])
        #expect(
            Self.failure(fill)
                == "node 'n' (ConstantOfShape): output shape [4611686018427387904, 4, 0] exceeds the limit of 2147483648 elements"
        )
        let negative = Self.graph("ConstantOfShape", inputs: ["s"], initializers: [Self.ints("s", [2, -1])])
        #expect(Self.failure(negative) == "node 'n' (ConstantOfShape): negative dimension in output shape [2, -1]")
    }

    @Test("Gather, Concat, Split, Transpose, reductions: extreme axes, indices and sizes are errors")
    func axesAndIndices() throws {
        let scalar = try ONNXValue(floats: [7], shape: [])
        let gatherScalar = Self.graph(
            "Gather", inputs: ["x", "i"], xShape: [], initializers: [Self.scalar("i", Int64(0))])
        #expect(Self.failure(gatherScalar, x: scalar) == "node 'n' (Gather): axis 0 is out of range for rank 0")
        let gatherIndex = Self.graph("Gather", inputs: ["x", "i"], initializers: [Self.ints("i", [Self.i64Min])])
        #expect(
            Self.failure(gatherIndex) == "node 'n' (Gather): index -9223372036854775808 out of range for dimension 4")
        let gatherAxis = Self.graph(
            "Gather", inputs: ["x", "i"], initializers: [Self.ints("i", [0])],
            attributes: [Self.intAttribute("axis", Self.i64Max)])
        #expect(Self.failure(gatherAxis) == "node 'n' (Gather): axis 9223372036854775807 is out of range for rank 1")

        let concat = Self.graph("Concat", inputs: ["x", "x"], attributes: [Self.intAttribute("axis", Self.i64Max)])
        #expect(Self.failure(concat) == "node 'n' (Concat): axis 9223372036854775807 is out of range for rank 1")
        let concatScalar = Self.graph(
            "Concat", inputs: ["x", "x"], xShape: [], attributes: [Self.intAttribute("axis", 0)])
        #expect(Self.failure(concatScalar, x: scalar) == "node 'n' (Concat): axis 0 is out of range for rank 0")

        let split = Self.graph(
            "Split", inputs: ["x", "s"], initializers: [Self.ints("s", [Self.i64Max, Self.i64Max, 2])],
            outputs: ["y", "z", "w"])
        #expect(
            Self.failure(split)
                == "node 'n' (Split): split sizes [9223372036854775807, 9223372036854775807, 2] do not cover dimension 4 with 3 outputs"
        )

        let transpose = Self.graph("Transpose", attributes: [W.intsAttribute("perm", [Self.i64Max])])
        #expect(Self.failure(transpose) == "node 'n' (Transpose): attribute 'perm': values out of range")
        let transposeDup = Self.graph("Transpose", xShape: [2, 2], attributes: [W.intsAttribute("perm", [0, 0])])
        #expect(
            Self.failure(transposeDup, x: try ONNXValue(floats: [1, 2, 3, 4], shape: [2, 2]))
                == "node 'n' (Transpose): invalid perm [0, 0] for rank 2")

        let reduceScalar = Self.graph("ReduceSum", inputs: ["x", "a"], xShape: [], initializers: [Self.ints("a", [0])])
        #expect(Self.failure(reduceScalar, x: scalar) == "node 'n' (ReduceSum): axis 0 is out of range for rank 0")
        let argMax = Self.graph("ArgMax", xShape: [], attributes: [Self.intAttribute("axis", 0)])
        #expect(Self.failure(argMax, x: scalar) == "node 'n' (ArgMax): axis 0 is out of range for rank 0")
        let squeeze = Self.graph("Squeeze", inputs: ["x", "a"], xShape: [], initializers: [Self.ints("a", [0])])
        #expect(Self.failure(squeeze, x: scalar) == "node 'n' (Squeeze): axis 0 is out of range for rank 0")
        let softmax = Self.graph("Softmax", xShape: [])
        #expect(Self.failure(softmax, x: scalar) == "node 'n' (Softmax): axis -1 is out of range for rank 0")
    }

    @Test("Pad and Resize: pads near Int64.max and scales that overflow are errors; NaN roi does not trap")
    func padAndResize() throws {
        let pad = Self.graph("Pad", inputs: ["x", "p"], initializers: [Self.ints("p", [Self.i64Min, Self.i64Max])])
        #expect(
            Self.failure(pad)
                == "node 'n' (Pad): pad -9223372036854775808 is out of range (magnitude at most 2147483648)")
        let padHuge = Self.graph("Pad", inputs: ["x", "p"], initializers: [Self.ints("p", [1 << 31, 1 << 31])])
        #expect(
            Self.failure(padHuge)
                == "node 'n' (Pad): output shape [4294967300] exceeds the limit of 2147483648 elements")
        let crop = Self.graph("Pad", inputs: ["x", "p"], initializers: [Self.ints("p", [-3, 0])])
        #expect(try Self.output(crop).floats == [4])

        let x = try ONNXValue(floats: [1, 2, 3, 4], shape: [1, 4])
        let scales = Self.graph(
            "Resize", inputs: ["x", "", "s"], xShape: [1, 4],
            initializers: [W.tensor("s", dims: [2], type: 1, floats: [1, 1e30])])
        #expect(
            Self.failure(scales, x: x)
                == "node 'n' (Resize): scale 1e+30 makes axis 1 of size 4 4e+30 long, beyond the limit of 2147483648")
        let sizes = Self.graph(
            "Resize", inputs: ["x", "", "", "z"], xShape: [1, 4], initializers: [Self.ints("z", [1, 1 << 40])])
        #expect(
            Self.failure(sizes, x: x)
                == "node 'n' (Resize): output shape [1, 1099511627776] exceeds the limit of 2147483648 elements")
        for mode in ["nearest", "linear", "cubic"] {
            let roi = Self.graph(
                "Resize", inputs: ["x", "r", "", "z"], xShape: [1, 4],
                initializers: [
                    W.tensor("r", dims: [4], type: 1, floats: [0, .nan, 1, .infinity]), Self.ints("z", [1, 3]),
                ],
                attributes: [
                    Self.stringAttribute("mode", mode),
                    Self.stringAttribute("coordinate_transformation_mode", "tf_crop_and_resize"),
                ])
            #expect(try Self.output(roi, x: x).shape == [1, 3])
        }
    }

    @Test("Gemm, MatMul and broadcasting of empty tensors cannot allocate a huge output")
    func emptyOperands() throws {
        let gemm = W.model(
            nodes: [W.node("Gemm", ["a", "b"], ["y"], name: "n")],
            initializers: [W.tensor("a", dims: [65536, 0], type: 1), W.tensor("b", dims: [0, 65536], type: 1)],
            inputs: [], outputs: [W.valueInfo("y", type: 1, dims: ["m", "n"])])
        #expect(
            Self.failure(gemm)
                == "node 'n' (Gemm): output shape [65536, 65536] exceeds the limit of 2147483648 elements")
        let add = W.model(
            nodes: [W.node("Add", ["a", "b"], ["y"], name: "n")],
            initializers: [
                W.tensor("a", dims: [65536, 1], type: 1, floats: [Float](repeating: 0, count: 65536)),
                W.tensor("b", dims: [1, 65536], type: 1, floats: [Float](repeating: 0, count: 65536)),
            ],
            inputs: [], outputs: [W.valueInfo("y", type: 1, dims: ["m", "n"])])
        #expect(
            Self.failure(add) == "node 'n' (Add): output shape [65536, 65536] exceeds the limit of 2147483648 elements")
    }

    @Test("initializers: negative, huge and overflowing dimensions are refused at load")
    func initializerDimensions() throws {
        for (dims, expected) in [
            ([Int64(-1)], "<memory>: malformed ONNX at byte 0: tensor 'w' has dimension -1"),
            (
                [0, 1 << 40, 1 << 40],
                "<memory>: malformed ONNX at byte 0: tensor 'w' of shape [0, 1099511627776, 1099511627776] exceeds the limit of 2147483648 elements"
            ),
            (
                [Self.i64Max, 2],
                "<memory>: malformed ONNX at byte 0: tensor 'w' of shape [9223372036854775807, 2] exceeds the limit of 2147483648 elements"
            ),
        ] {
            for type in [Int64(1), 6] {  // float32 and the widened int32
                #expect(Self.failure(LoaderTests.addModel(W.tensor("w", dims: dims, type: type))) == expected)
            }
        }
        // A feed with an impossible shape is refused by run, before any kernel.
        let model = try ONNXModel(bytes: LoaderTests.addModel(W.tensor("w", dims: [3], type: 1, floats: [1, 2, 3])))
        #expect(throws: ONNXError.self) { try ONNXValue(floats: [], shape: [0, 1 << 40, 1 << 40]) }
        #expect(throws: ONNXError.self) { try ONNXValue(floats: [], shape: [1 << 62, 4, 0]) }
        #expect(throws: ONNXError.self) {
            try model.run(["x": NumpyArray.decode(Self.npyHeader("(0, 1099511627776, 3)"))])
        }
    }

    /// A float32 `.npy` with the given shape text and no data.
    static func npyHeader(_ shape: String) -> [UInt8] {
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': \(shape), }"
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        return [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)]
            + Array(header.utf8)
    }

    @Test("Pow of int64 by a float exponent saturates instead of trapping on a huge result")
    func powSaturates() throws {
        let pow = W.model(
            nodes: [W.node("Pow", ["a", "b"], ["y"], name: "n")],
            initializers: [
                Self.ints("a", [10, -10, 2]), W.tensor("b", dims: [3], type: 1, floats: [100, 101, .nan]),
            ],
            inputs: [], outputs: [W.valueInfo("y", type: 7, dims: [3])])
        #expect(try ONNXModel(bytes: pow).run([:])["y"]?.int64s == [Self.i64Max, Self.i64Min, 0])
    }

    @Test("external data: an offset or length near Int.max is an error naming the file, not an overflow")
    func externalDataExtremes() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "pixelrec-hostile-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data([0, 0, 0, 0, 0, 0, 0, 0] + W.floatBytes([1, 2, 3])).write(to: dir.appendingPathComponent("w.bin"))
        let bin = dir.appendingPathComponent("w.bin").standardizedFileURL.resolvingSymlinksInPath().path
        for (offset, length, expected) in [
            (
                "\(Int.max)", "12",
                "\(bin): tensor 'w': 12 bytes at offset 9223372036854775807 run past the end of the file (20 bytes)"
            ),
            (
                "8", "\(Int.max)",
                "\(bin): tensor 'w': 9223372036854775807 bytes at offset 8 run past the end of the file (20 bytes)"
            ),
            (
                "\(Int.max - 4)", "\(Int.max)",
                "\(bin): tensor 'w': 9223372036854775807 bytes at offset 9223372036854775803 run past the end of the file (20 bytes)"
            ),
        ] {
            let model = LoaderTests.addModel(
                W.tensor(
                    "w", dims: [3], type: 1,
                    external: [("location", "w.bin"), ("offset", offset), ("length", length)]))
            let path = dir.appendingPathComponent("m.onnx").path
            try Data(model).write(to: URL(fileURLWithPath: path))
            #expect(throws: ONNXError.io(path: bin, reason: String(expected.dropFirst(bin.count + 2)))) {
                try ONNXModel(contentsOf: path)
            }
            do { _ = try ONNXModel(contentsOf: path) } catch { #expect("\(error)" == expected) }
        }
    }

    @Test("errors of a model loaded from a file name the file")
    func errorsNameTheFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "pixelrec-hostile-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("tile.onnx").path
        try Data(Self.graph("Tile", inputs: ["x", "r"], initializers: [Self.ints("r", [Self.i64Max])])).write(
            to: URL(fileURLWithPath: path))
        let model = try ONNXModel(contentsOf: path)
        do {
            _ = try model.run(["x": Self.x4])
            Issue.record("ran")
        } catch {
            #expect("\(error)" == "\(path): node 'n' (Tile): dimension 0 × repeats 9223372036854775807 overflows")
        }
        let rangePath = dir.appendingPathComponent("range.onnx").path
        try Data(
            Self.graph(
                "Range", inputs: ["a", "b", "d"],
                initializers: [
                    Self.scalar("a", Float(0)), Self.scalar("b", Float.infinity), Self.scalar("d", Float(1)),
                ])
        )
        .write(to: URL(fileURLWithPath: rangePath))
        #expect(
            throws: ONNXError.inModel(
                path: rangePath,
                error: .invalidNode(
                    node: "n", op: "Range",
                    reason: "start 0.0, limit inf and delta 1.0 must be finite, delta nonzero"))
        ) {
            try ONNXModel(contentsOf: rangePath)
        }
    }
}
