import Foundation
import PixelArguments
import PixelConfig
import PixelCore
import PixelData

/// `pixelrec split`: filter and split interactions into train/validation/test.
enum SplitCommand: Subcommand {
    static let command = Command(
        name: "split",
        abstract: "Filter interactions (k-core) and split them into train, validation and test sets.",
        discussion: """
            Writes <output>/{train,val,test}.csv and split_info.json (counts, strategy, seed, filters and \
            a leakage check). leave_one_out is PixelRec's protocol: each user's last interaction is the test \
            item and the second-last the validation item (ties broken by timestamp, then file order). The \
            input is --interactions, else data.processed_interactions_path when the configuration sets it, else \
            the processed interactions when preprocess has run, else data.interactions_path; the output is --output, else <folder of data.split_data_path>/<name>, \
            else data.split_data_path.
            """,
        arguments: CommonOptions.all + [
            .option(
                "strategy", short: "s",
                kind: .choice(PixelData.SplitStrategy.allCases.map(\.rawValue)),
                help: "How to split (overrides data.splitting.strategy)."),
            .option(
                "ratios", kind: .number, valueName: "r", multiple: true,
                help: "Train, validation and test ratios, e.g. --ratios 0.8 0.1 0.1."),
            .option(
                "min-interactions-per-user", kind: .integer(0...Int.max), valueName: "n",
                help: "Drop users with fewer interactions, repeated with the item filter until stable."),
            .option(
                "min-interactions-per-item", kind: .integer(0...Int.max), valueName: "n",
                help: "Drop items with fewer interactions, repeated with the user filter until stable."),
            .option(
                "holdout-min-interactions", kind: .integer(0...Int.max), valueName: "n",
                help: "user/item strategies: hold out only users/items with at least n interactions."),
            .option(
                "sample-n", kind: .integer(1...Int.max), valueName: "n",
                help:
                    "Sample n data.splitting.sample_units before splitting (seeded; default unit: interactions, as the Python framework's --sample_n)."
            ),
            .option(
                "sample-users", kind: .integer(1...Int.max), valueName: "n",
                help: "Keep all interactions of n users drawn before splitting (seeded)."),
            .option(
                "sample-interactions", kind: .integer(1...Int.max), valueName: "n",
                help: "Keep n interactions drawn before splitting (seeded)."),
            .option(
                "temporal-scope", kind: .choice(PixelData.TemporalScope.allCases.map(\.rawValue)),
                help: "For --strategy temporal: split each user's timeline or the global one."),
            .option(
                "seed", kind: .integer(0...Int.max), help: "Random seed (overrides data.splitting.random_state)."),
            .option("interactions", kind: .path, valueName: "csv", help: "Interactions CSV to split."),
            .option("name", valueName: "name", help: "Split name: output goes to <splits folder>/<name>."),
            .option("output", short: "o", kind: .path, valueName: "dir", help: "Output folder (overrides --name)."),
        ],
        examples: [
            "pixelrec split --strategy leave_one_out --name loo",
            "pixelrec split --config configs/default_config.yaml --strategy stratified --ratios 0.6 0.2 0.2",
        ]
    )

    static func run(_ context: CommandContext) throws {
        let config = try context.loadConfig()
        let invocation = context.invocation
        var options = SplitOptions(config: config.data.splitting)
        if let strategy = invocation.string("strategy").flatMap(PixelData.SplitStrategy.init(rawValue:)) {
            options.strategy = strategy
        }
        if invocation.isSet("ratios") {
            let ratios = invocation.strings("ratios").compactMap(Double.init)
            guard ratios.count == 3 else {
                throw UsageError("option '--ratios' takes three values (train, validation, test), got \(ratios.count)")
            }
            (options.trainRatio, options.valRatio, options.testRatio) = (ratios[0], ratios[1], ratios[2])
        }
        if let n = invocation.int("min-interactions-per-user") { options.minInteractionsPerUser = n }
        if let n = invocation.int("min-interactions-per-item") { options.minInteractionsPerItem = n }
        if let n = invocation.int("holdout-min-interactions") { options.holdoutMinInteractions = n }
        let samples = ["sample-n", "sample-users", "sample-interactions"].filter { invocation.isSet($0) }
        guard samples.count <= 1 else {
            throw UsageError("give one of --\(samples.joined(separator: ", --")): each sets how much to sample")
        }
        if let n = invocation.int("sample-n") { options.sampleN = n }
        if let n = invocation.int("sample-users") { (options.sampleN, options.sampleMode) = (n, .users) }
        if let n = invocation.int("sample-interactions") { (options.sampleN, options.sampleMode) = (n, .interactions) }
        if let scope = invocation.string("temporal-scope").flatMap(PixelData.TemporalScope.init(rawValue:)) {
            options.temporalScope = scope
        }
        if let seed = invocation.int("seed") { options.seed = UInt64(seed) }

        let (input, inputKey) =
            invocation.string("interactions").map { ($0, "--interactions") } ?? defaultInput(config.data)
        let output = outputDirectory(config.data, invocation: invocation)

        var paths = context.paths()
        paths.input(input, inputKey)
        paths.output(output, invocation.isSet("output") ? "--output" : "data.split_data_path", directory: true)
        try paths.check()

        let progress = PixelCore.Progress("split", total: nil, unit: "rows")
        let (table, load) = try InteractionTable.load(
            path: input, options: InteractionLoadOptions(), progress: progress)
        if load.duplicatesDropped > 0 { context.console.warning("\(input): \(load.summary)") }
        let report = try Splitter.run(table, options: options, outputDirectory: output, progress: progress)
        progress.finish()

        let console = context.console
        console.line("input: \(input) (\(load.summary))")
        console.line(
            "k-core: \(report.filters.rowsBefore) → \(report.filters.rowsAfter) rows in "
                + "\(report.filters.iterations) passes (users ≥ \(options.minInteractionsPerUser), "
                + "items ≥ \(options.minInteractionsPerItem))")
        if let sample = report.sample {
            console.line(
                sample.sampled
                    ? "sample: \(sample.n) of \(sample.population) \(sample.mode) (seed \(report.seed)): \(sample.rows) interactions kept"
                    : "sample: \(sample.n) ≥ the \(sample.population) \(sample.mode) of the input: nothing sampled")
        }
        console.line("strategy: \(report.strategy), seed \(report.seed)")
        if let holdout = report.holdout {
            let what = options.strategy == .user ? "users" : "items"
            console.line(
                "hold-out: \(holdout.eligible) of \(holdout.present) \(what) eligible (≥ \(holdout.minInteractions) interactions)"
            )
        }
        console.line("          train      val     test")
        func row(_ name: String, _ parts: SplitReport.Parts) {
            console.line(
                name.padding(toLength: 8, withPad: " ", startingAt: 0)
                    + [parts.train, parts.val, parts.test].map { String($0).leftPadded(to: 9) }.joined())
        }
        row("rows", report.counts)
        row("users", report.users)
        row("items", report.items)
        if report.leakage.skipped == true {
            console.line("leakage check: \(report.leakage.check)")
        } else {
            console.line(
                "leakage check: \(report.leakage.testViolations) test and \(report.leakage.valViolations) validation "
                    + "interactions also in train: \(report.leakage.passed ? "passed" : "FAILED")")
        }
        console.line("wrote \(output)/{train,val,test}.csv and split_info.json")
        if !report.leakage.passed {
            throw PixelError.invalidInput(
                path: output, line: 0, column: 0,
                reason: "leakage check failed: \(report.leakage.testViolations) test and "
                    + "\(report.leakage.valViolations) validation interactions also in train")
        }
    }

    /// What split reads without `--interactions`, and the key that names it: `data.processed_interactions_path`
    /// when a config sets it (it must exist); else the processed interactions when preprocess has written them
    /// (`<processed dir>/interactions.csv`, the key's default); else the raw `data.interactions_path`.
    static func defaultInput(_ data: DataConfig) -> (path: String, key: String) {
        if data.processedInteractionsPath != DataConfig().processedInteractionsPath {
            return (data.processedInteractionsPath, "data.processed_interactions_path")
        }
        let processed = data.resolvedProcessedInteractionsPath
        return FileManager.default.fileExists(atPath: processed)
            ? (processed, "data.processed_interactions_path") : (data.interactionsPath, "data.interactions_path")
    }

    static func outputDirectory(_ data: DataConfig, invocation: Invocation) -> String {
        if let output = invocation.string("output") { return output }
        guard let name = invocation.string("name") else { return data.splitDataPath }
        let parent = (data.splitDataPath as NSString).deletingLastPathComponent
        return parent.isEmpty ? name : parent + "/" + name
    }
}

extension String {
    /// The string right-aligned in `width` columns.
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
