// ConfigFuzz: YAML config loading under libFuzzer (`-D FUZZING`, see scripts/fuzz.sh), or, in a normal
// build, a replay tool: `ConfigFuzz file...` runs each file through the same function and prints
// `ok` or `error` per file (exit status 1 when a file cannot be read).
//
// The fuzz build passes `-parse-as-library`, which rejects top-level statements even inside an inactive
// `#if` branch; so the replay branch holds only declarations, and its work runs from the initializer of
// a top-level constant (which a normal build, in script mode, evaluates in order like a statement).
import Foundation
import FuzzSupport

#if FUZZING
    @_cdecl("ConfigFuzz_main")
    public func configFuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
        runLibFuzzer(argc, argv) { _ = exerciseConfigLoader($0) }
    }
#else
    // A global's initializer, not a statement: top-level statements do not parse under -parse-as-library.
    let replayed: Void = replayFuzzInputs(tool: "ConfigFuzz", arguments: Array(CommandLine.arguments.dropFirst())) {
        switch exerciseConfigLoader($0) {
        case let .loaded(warnings): warnings > 0 ? "ok (\(warnings) warnings)" : nil
        case let .rejected(message): "error: \(message)"
        }
    }
#endif
