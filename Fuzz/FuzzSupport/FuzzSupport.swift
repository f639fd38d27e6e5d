// FuzzSupport: what every fuzz target shares — the hand-over to libFuzzer's driver in a fuzz build
// (`-D FUZZING -sanitize=fuzzer,address -parse-as-library`, see scripts/fuzz.sh) and the replay tool
// of a normal build (`<Target> FILE|DIR ...` runs each input, or each file of a directory, once).
import Foundation

#if FUZZING
    /// The function the running target feeds every input to; set once by `runLibFuzzer` before the driver starts.
    nonisolated(unsafe) private var fuzzBody: ([UInt8]) -> Void = { _ in }

    /// libFuzzer's per-input entry point, forwarding to the running target's function.
    @_cdecl("LLVMFuzzerTestOneInput")
    public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
        fuzzBody(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
        return 0
    }

    @_silgen_name("LLVMFuzzerRunDriver")
    private func llvmFuzzerRunDriver(
        _ argc: UnsafeMutablePointer<CInt>,
        _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
        _ testOneInput: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
    ) -> CInt

    /// Hands control to libFuzzer's driver with `body` as the function under test. SwiftPM links an
    /// executable with `main=<Target>_main`, which hides libFuzzer's own `main`; each target defines that
    /// symbol with `@_cdecl` and calls this (what libFuzzer's `main` would do).
    public func runLibFuzzer(
        _ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, _ body: @escaping ([UInt8]) -> Void
    ) -> CInt {
        fuzzBody = body
        var count = argc
        var arguments = argv
        return llvmFuzzerRunDriver(&count, &arguments, fuzzTestOneInput)
    }
#endif

/// Replays fuzz inputs outside the fuzzer and exits: every argument that names a directory stands for its
/// files (sorted by name). `body` runs each input and returns a one-line outcome to print after the path
/// (nil prints `ok`). Exit status 1 when an input cannot be read, 0 otherwise.
public func replayFuzzInputs(tool: String, arguments: [String], _ body: ([UInt8]) -> String?) {
    if arguments.isEmpty { print("usage: \(tool) FILE|DIR ...   (replays fuzz inputs without the fuzzer)") }
    var inputs: [String] = []
    for argument in arguments {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: argument, isDirectory: &isDirectory), isDirectory.boolValue {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: argument)) ?? []
            inputs += names.sorted().map { argument + "/" + $0 }
        } else {
            inputs.append(argument)
        }
    }
    var unreadable = 0
    for path in inputs {
        guard let data = FileManager.default.contents(atPath: path) else {
            print("\(tool): cannot read \(path)")
            unreadable += 1
            continue
        }
        print("\(path): \(body([UInt8](data)) ?? "ok")")
    }
    print("\(tool): replayed \(inputs.count - unreadable) of \(inputs.count) inputs without a crash")
    exit(unreadable == 0 ? 0 : 1)
}
