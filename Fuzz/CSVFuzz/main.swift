// CSVFuzz: the CSV reader and the table loaders over arbitrary bytes.
//
// With `-D FUZZING -sanitize=fuzzer,address` this is a libFuzzer target; in a normal build it is a
// replay tool: `CSVFuzz FILE|DIR ...` runs every given input through the same function.
import Foundation
import PixelData

/// Parses `data` every way the pipeline does; errors are expected, crashes are bugs.
func fuzzCSV(_ data: Data) {
    guard let reader = try? CSVReader(data: data, path: "<fuzz>") else { return }
    var fields = 0
    _ = try? reader.forEachRecord { record in
        for i in 0..<record.count { fields &+= record.withField(i) { $0.count } }
        _ = record.strings
    }
    for duplicates in DuplicatePolicy.allCases {
        var options = InteractionLoadOptions()
        options.duplicates = duplicates
        if let (table, _) = try? InteractionTable.load(reader: reader, options: options) {
            _ = try? Splitter.assign(table, options: SplitOptions(strategy: .leaveOneOut))
            _ = try? Splitter.assign(
                table,
                options: SplitOptions(strategy: .stratified, minInteractionsPerUser: 2, minInteractionsPerItem: 2))
            for column in table.extras { _ = try? table.numericColumn(column.name) }
        }
    }
    _ = try? ItemTable.load(reader: reader)
}

#if FUZZING
    @_cdecl("LLVMFuzzerTestOneInput")
    public func fuzzTestOneInput(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> Int32 {
        guard let bytes else { return 0 }
        fuzzCSV(Data(bytes: bytes, count: count))
        return 0
    }

    @_silgen_name("LLVMFuzzerRunDriver")
    func runFuzzerDriver(
        _ argc: UnsafeMutablePointer<Int32>,
        _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
        _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
    ) -> Int32

    /// SwiftPM links executables with `main=CSVFuzz_main`, which hides libFuzzer's own `main`; this entry point
    /// hands control to libFuzzer's driver instead.
    @_cdecl("CSVFuzz_main")
    public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
        var argc = argc
        var argv = argv
        return runFuzzerDriver(&argc, &argv, fuzzTestOneInput)
    }
#else
    // Top-level statements would not parse under `-parse-as-library` even in this inactive branch, so the
    // replay runs from a global's initializer (globals in main.swift initialise in order).
    func replayMain() {
        var inputs: [String] = []
        for argument in CommandLine.arguments.dropFirst() {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: argument, isDirectory: &isDirectory), isDirectory.boolValue {
                let names = (try? FileManager.default.contentsOfDirectory(atPath: argument)) ?? []
                inputs += names.sorted().map { argument + "/" + $0 }
            } else {
                inputs.append(argument)
            }
        }
        for path in inputs {
            guard let data = FileManager.default.contents(atPath: path) else {
                print("CSVFuzz: cannot read \(path)")
                exit(1)
            }
            fuzzCSV(data)
        }
        print("CSVFuzz: replayed \(inputs.count) inputs without a crash")
        exit(0)
    }

    let replayed: Void = replayMain()
#endif
