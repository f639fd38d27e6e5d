// ONNXFuzz: feeds arbitrary bytes to the ONNX model loader (protobuf reader, tensor decoding, graph
// preparation). Any thrown ONNXError is fine; a crash, trap or sanitizer report is a bug.
//   libFuzzer build (scripts/fuzz.sh): -sanitize=fuzzer,address -parse-as-library -DFUZZING
//   normal build: a replay tool, `ONNXFuzz FILE...` runs each file through the same function.
import Foundation
import PixelONNX

func fuzzOne(_ bytes: [UInt8]) {
    // Bound allocations so a hostile file cannot exhaust the fuzzer's memory limit.
    ONNXLimits.maximumTensorElements = 1 << 22
    guard let model = try? ONNXModel(bytes: bytes) else { return }
    _ = ONNXInspection.report(model)
}

#if FUZZING
@_cdecl("LLVMFuzzerTestOneInput")
public func LLVMFuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    fuzzOne(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// SwiftPM links an executable target's entry point as `<Target>_main`; hand control to libFuzzer's driver.
@_cdecl("ONNXFuzz_main")
public func onnxFuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return LLVMFuzzerRunDriver(&count, &arguments) { data, size in LLVMFuzzerTestOneInput(data, size) }
}
#else
// A global with an initializer (not a statement), so the file also parses with -parse-as-library.
let replayed: Void = replay(Array(CommandLine.arguments.dropFirst()))
#endif

/// Runs each file through `fuzzOne`; prints one line per file.
func replay(_ paths: [String]) {
    if paths.isEmpty { print("usage: ONNXFuzz FILE...   (replays fuzz inputs through the ONNX loader)") }
    for path in paths {
        guard let data = FileManager.default.contents(atPath: path) else {
            print("\(path): cannot read")
            continue
        }
        fuzzOne([UInt8](data))
        print("\(path): ok")
    }
}
