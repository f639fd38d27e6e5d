// CSVFuzz: the CSV reader and the table loaders over arbitrary bytes.
//
// With `-D FUZZING -sanitize=fuzzer,address` this is a libFuzzer target; in a normal build it is a
// replay tool: `CSVFuzz FILE|DIR ...` runs every given input through the same function.
import Foundation
import FuzzSupport
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
    @_cdecl("CSVFuzz_main")
    public func csvFuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
        runLibFuzzer(argc, argv) { fuzzCSV(Data($0)) }
    }
#else
    // A global's initializer, not a statement: top-level statements do not parse under -parse-as-library.
    let replayed: Void = replayFuzzInputs(tool: "CSVFuzz", arguments: Array(CommandLine.arguments.dropFirst())) {
        fuzzCSV(Data($0))
        return nil
    }
#endif
