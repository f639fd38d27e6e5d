import Foundation
import PixelCore
import PixelData

/// PixelBench subcommands of the data pipeline (bench/cases/csv-*.sh).
///
/// - `data-synth OUT [users items interactions seed images(0|1)]`: writes a synthetic data set, prints its report.
/// - `csv-load FILE [repeats]`: loads interactions (CSV parse + dense id maps), prints the best wall time.
/// - `split-scale FILE OUT [strategy min_user min_item]`: load + k-core + split + write; prints stage times and peak RSS.
/// - `data-preprocess IN OUT [numeric,columns]`: runs the preprocessing, prints counts and wall time.
enum DataBench {
    static let commands = ["data-synth", "csv-load", "split-scale", "data-preprocess"]

    static func peakRSSMegabytes() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024
    }

    static func json(_ fields: [(String, Any)]) -> String {
        "{"
            + fields.map { key, value in
                let text: String
                switch value {
                case let value as String: text = "\"\(value)\""
                case let value as Double: text = String(format: "%.4f", value)
                default: text = "\(value)"
                }
                return "\"\(key)\": \(text)"
            }.joined(separator: ", ") + "}"
    }

    static func run(_ command: String, _ arguments: [String]) throws {
        func argument(_ index: Int, _ fallback: String) -> String {
            index < arguments.count ? arguments[index] : fallback
        }
        switch command {
        case "data-synth":
            var options = SynthOptions(
                users: Int(argument(1, "200000")) ?? 200_000, items: Int(argument(2, "100000")) ?? 100_000,
                interactions: Int(argument(3, "4000000")) ?? 4_000_000, seed: UInt64(argument(4, "42")) ?? 42,
                withImages: argument(5, "0") == "1")
            options.workers = 2
            let clock = Date()
            let report = try SynthGenerator.generate(options: options, outputDirectory: argument(0, "synth"))
            let seconds = Date().timeIntervalSince(clock)
            print(
                json([
                    ("users", report.users), ("items", report.items), ("interactions", report.interactions),
                    ("images", report.images),
                    ("seconds", seconds), ("interaction_seconds", report.seconds["interactions"] ?? 0),
                ]))
        case "csv-load":
            let path = argument(0, "interactions.csv")
            let repeats = Int(argument(1, "3")) ?? 3
            var best = Double.infinity
            var report = LoadReport()
            for _ in 0..<max(1, repeats) {
                let clock = Date()
                let (_, loaded) = try InteractionTable.load(path: path)
                best = min(best, Date().timeIntervalSince(clock))
                report = loaded
            }
            print(
                json([
                    ("rows", report.rows), ("users", report.users), ("items", report.items), ("seconds", best),
                    ("peak_rss_mb", peakRSSMegabytes()),
                ]))
        case "split-scale":
            let path = argument(0, "interactions.csv")
            let out = argument(1, "split-out")
            guard let strategy = SplitStrategy(rawValue: argument(2, "leave_one_out")) else {
                throw DataError.invalidOption(name: "strategy", reason: "unknown '\(argument(2, ""))'")
            }
            let clock = Date()
            let (table, _) = try InteractionTable.load(path: path)
            let load = Date().timeIntervalSince(clock)
            let options = SplitOptions(
                strategy: strategy, minInteractionsPerUser: Int(argument(3, "5")) ?? 5,
                minInteractionsPerItem: Int(argument(4, "5")) ?? 5)
            let report = try Splitter.run(table, options: options, outputDirectory: out)
            let total = Date().timeIntervalSince(clock)
            print(
                json([
                    ("rows", table.count), ("train", report.counts.train), ("val", report.counts.val),
                    ("test", report.counts.test),
                    ("load_seconds", load), ("filter_seconds", report.seconds["filter"] ?? 0),
                    ("split_seconds", report.seconds["split"] ?? 0),
                    ("write_seconds", report.seconds["write"] ?? 0), ("total_seconds", total),
                    ("peak_rss_mb", peakRSSMegabytes()),
                    ("kcore_iterations", report.filters.iterations), ("rows_after_kcore", report.filters.rowsAfter),
                ]))
        case "data-preprocess":
            var options = PreprocessOptions()
            options.numericColumns = argument(2, "").split(separator: ",").map(String.init)
            let clock = Date()
            let report = try Preprocessor.run(
                inputDirectory: argument(0, "."), outputDirectory: argument(1, "processed"), options: options)
            print(
                json([
                    ("items_in", report.itemsInput), ("items_kept", report.itemsKept),
                    ("interactions_kept", report.interactionsKept),
                    ("copied", report.imagesCopied), ("compressed", report.imagesCompressed),
                    ("resumed", report.imagesResumed),
                    ("seconds", Date().timeIntervalSince(clock)), ("peak_rss_mb", peakRSSMegabytes()),
                ]))
        default:
            throw DataError.invalidOption(name: "command", reason: "unknown data bench command '\(command)'")
        }
    }
}
