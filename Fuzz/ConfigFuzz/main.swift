// ConfigFuzz: YAML config loading under libFuzzer (`-D FUZZING`, see scripts/fuzz.sh), or, in a normal
// build, a replay tool: `ConfigFuzz file...` runs each file through the same function and prints
// `ok` or `error` per file.
#if FUZZING
@_cdecl("LLVMFuzzerTestOneInput")
public func configFuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    _ = exerciseConfigLoader(bytes)
    return 0
}
#else
import Foundation

var unreadable = 0
for path in CommandLine.arguments.dropFirst() {
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
#endif
