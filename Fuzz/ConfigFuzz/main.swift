// ConfigFuzz: YAML config loading under libFuzzer (`-D FUZZING`, see scripts/fuzz.sh), or, in a normal
// build, a replay tool: `ConfigFuzz file...` runs each file through the same function and prints
// `ok` or `error` per file (exit status 1 when a file cannot be read).
//
// The fuzz build passes `-parse-as-library`, which rejects top-level statements even inside an inactive
// `#if` branch; so the replay branch holds only declarations, and its work runs from the initializer of
// a top-level constant (which a normal build, in script mode, evaluates in order like a statement).
import Foundation

#if FUZZING
    @_cdecl("LLVMFuzzerTestOneInput")
    public func configFuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
        let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
        _ = exerciseConfigLoader(bytes)
        return 0
    }

    @_silgen_name("LLVMFuzzerRunDriver")
    private func runFuzzerDriver(
        _ argc: UnsafeMutablePointer<CInt>,
        _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
        _ testOneInput: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
    ) -> CInt

    /// SwiftPM links an executable with `--defsym main=<Module>_main`, and under `-parse-as-library` no code
    /// defines that symbol; so define it here and hand over to libFuzzer's driver (what libFuzzer's own
    /// `main` does).
    @_cdecl("ConfigFuzz_main")
    public func configFuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
        var count = argc
        var arguments = argv
        return runFuzzerDriver(&count, &arguments, configFuzzTestOneInput)
    }
#else
    /// Runs every file in `paths` and exits: 0 when all were read, 1 otherwise.
    func replay(_ paths: ArraySlice<String>) {
        var unreadable = 0
        for path in paths {
            guard let data = FileManager.default.contents(atPath: path) else {
                print("unreadable \(path)")
                unreadable += 1
                continue
            }
            switch exerciseConfigLoader([UInt8](data)) {
            case let .loaded(warnings):
                print("ok \(path)" + (warnings > 0 ? " (\(warnings) warnings)" : ""))
            case let .rejected(message):
                print("error \(path): \(message)")
            }
        }
        exit(unreadable == 0 ? 0 : 1)
    }

    let replayed: Void = replay(CommandLine.arguments.dropFirst())
#endif
