// ONNXFuzz: feeds arbitrary bytes to the ONNX model loader (protobuf reader, tensor decoding, graph
// preparation). Any thrown ONNXError is fine; a crash, trap or sanitizer report is a bug.
//   libFuzzer build (scripts/fuzz.sh): -sanitize=fuzzer,address -parse-as-library -DFUZZING
//   normal build: a replay tool, `ONNXFuzz FILE...` runs each file through the same function.
import Foundation
import FuzzSupport
import PixelONNX

func fuzzOne(_ bytes: [UInt8]) {
    // Bound allocations so a hostile file cannot exhaust the fuzzer's memory limit.
    ONNXLimits.maximumTensorElements = 1 << 22
    guard let model = try? ONNXModel(bytes: bytes) else { return }
    _ = ONNXInspection.report(model)
}

#if FUZZING
    @_cdecl("ONNXFuzz_main")
    public func onnxFuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
        runLibFuzzer(argc, argv) { fuzzOne($0) }
    }
#else
    // A global's initializer, not a statement: top-level statements do not parse under -parse-as-library.
    let replayed: Void = replayFuzzInputs(tool: "ONNXFuzz", arguments: Array(CommandLine.arguments.dropFirst())) {
        fuzzOne($0)
        return nil
    }
#endif
