// ONNXFuzz: feeds ONNX models to the loader (protobuf reader, tensor decoding, graph preparation) and runs
// every model that loads on small inputs, twice (the second run takes the shape-specialized plan). Any thrown
// ONNXError is fine; a crash, trap or sanitizer report is a bug.
//
// Mutations are structure-aware (``ONNXMutator``): most of the time the input is decoded as a protobuf tree
// along the ONNX schema and one attribute, initializer dimension or value, or declared shape field is set to
// an extreme (0, −1, 2³¹, 2⁶², Int64.max, Int64.min, NaN, ±inf, a huge list), the rest of the time
// libFuzzer's own byte-level mutation runs. Seeds: Fuzz/ONNXFuzz/Seeds (Fuzz/ONNXFuzz/make_seeds.py).
//   libFuzzer build (scripts/fuzz.sh): -sanitize=fuzzer,address -parse-as-library -DFUZZING
//   normal build: a replay tool, `ONNXFuzz FILE...` runs each file through the same function.
import Foundation
import FuzzSupport
import PixelONNX

/// Loads `bytes` as a model and, when it loads, runs it twice on small inputs; returns the outcome in words.
@discardableResult
func fuzzOne(_ bytes: [UInt8]) -> String {
    // Bound allocations so a hostile file cannot exhaust the fuzzer's memory limit.
    ONNXLimits.maximumTensorElements = 1 << 22
    let model: ONNXModel
    do { model = try ONNXModel(bytes: bytes) } catch { return "load: \(error)" }
    _ = ONNXInspection.report(model)
    // Buffers kept for reuse would count against libFuzzer's RSS limit across inputs.
    defer { ONNXModel.releaseCachedBuffers() }
    guard let feeds = smallInputs(model) else { return "loaded; inputs too large to feed" }
    do {
        _ = try model.run(feeds)
        _ = try model.run(feeds)
    } catch {
        return "run: \(error)"
    }
    return "ran"
}

/// One value per declared input: symbolic and unknown dimensions are 2, fixed ones as declared; nil when
/// an input would exceed 4096 elements or has a type the interpreter does not compute with.
func smallInputs(_ model: ONNXModel) -> [String: ONNXValue]? {
    var feeds: [String: ONNXValue] = [:]
    for input in model.inputs {
        let shape: [Int] = (input.shape ?? [.unknown]).map { dimension -> Int in
            if case .fixed(let n) = dimension { return n }
            return 2
        }
        var count = 1
        for d in shape {
            let (p, o) = count.multipliedReportingOverflow(by: d)
            guard !o, p <= 4096 else { return nil }
            count = p
        }
        let value: ONNXValue?
        switch input.elementType {
        case .float: value = try? ONNXValue(floats: (0..<count).map { Float($0 % 7) - 2.5 }, shape: shape)
        case .int64: value = try? ONNXValue(int64s: (0..<count).map { Int64($0 % 3) }, shape: shape)
        case .bool: value = try? ONNXValue(bools: (0..<count).map { $0 % 2 == 0 }, shape: shape)
        case nil: value = nil
        }
        guard let value else { return nil }
        feeds[input.name] = value
    }
    return feeds
}

#if FUZZING
    @_silgen_name("LLVMFuzzerMutate")
    func llvmFuzzerMutate(_ data: UnsafeMutablePointer<UInt8>, _ size: Int, _ maxSize: Int) -> Int

    @_cdecl("ONNXFuzz_main")
    public func onnxFuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
        runLibFuzzer(argc, argv) { fuzzOne($0) }
    }

    /// libFuzzer's hook for a custom mutator: three times in four an ONNX-aware mutation, else a byte-level one.
    @_cdecl("LLVMFuzzerCustomMutator")
    public func onnxCustomMutator(_ data: UnsafeMutablePointer<UInt8>, _ size: Int, _ maxSize: Int, _ seed: UInt32)
        -> Int
    {
        var random = ONNXMutator.Random(seed: UInt64(seed) &+ 0x9E37_79B9_7F4A_7C15)
        if random.below(4) != 0 {
            let input = Array(UnsafeBufferPointer(start: data, count: size))
            if let mutated = ONNXMutator.mutate(input, &random), mutated.count <= maxSize {
                mutated.withUnsafeBufferPointer { data.update(from: $0.baseAddress!, count: mutated.count) }
                return mutated.count
            }
        }
        return llvmFuzzerMutate(data, size, maxSize)
    }
#else
    // A global's initializer, not a statement: top-level statements do not parse under -parse-as-library.
    let replayed: Void = {
        var arguments = Array(CommandLine.arguments.dropFirst())
        // `ONNXFuzz --mutate N FILE...`: prints N structure-aware mutants of each file (for checking the mutator).
        if arguments.first == "--mutate", arguments.count >= 3, let n = Int(arguments[1]) {
            arguments.removeFirst(2)
            var random = ONNXMutator.Random(seed: 1)
            for path in arguments {
                guard let data = FileManager.default.contents(atPath: path) else { continue }
                for k in 0..<n {
                    let mutant = ONNXMutator.mutate([UInt8](data), &random)
                    print("\(path) mutant \(k): \(mutant.map { "\($0.count) bytes, " + fuzzOne($0) } ?? "no mutation")")
                }
            }
            exit(0)
        }
        replayFuzzInputs(tool: "ONNXFuzz", arguments: arguments) { fuzzOne($0) }
    }()
#endif
