import Foundation
import PixelArguments
import PixelCluster
import PixelConfig
import PixelCore
import PixelData
import PixelEncoders
import PixelEval
import PixelSession

/// `pixelrec eval`: evaluate a model or a baseline.
enum EvalCommand: Subcommand {
    static let command = Command(
        name: "eval",
        abstract: "Evaluate the multimodal model or a baseline with full-ranking metrics.",
        discussion: """
            Full ranking (every catalog item scored) is the default; sampled evaluation happens only with \
            --negatives and is labelled in every output. Tied scores rank the relevant item last.
            """,
        arguments: CommonOptions.all + [
            .option(
                "task", short: "t",
                kind: .choice(EvaluationTask.allCases.map(\.rawValue)),
                help: "Evaluation task.", aliases: ["eval-task"]),
            .option(
                "recommender-type", short: "r",
                kind: .choice(RecommenderType.allCases.map(\.rawValue)),
                help: "What to evaluate."),
            .option("train-data", kind: .path, valueName: "csv", help: "Training interactions."),
            .option(
                "val-data", kind: .path, valueName: "csv",
                help: "Validation interactions (default: val.csv beside the test file, else data.val_data_path)."),
            .option("test-data", kind: .path, valueName: "csv", help: "Test interactions."),
            .option("checkpoint", kind: .path, valueName: "path", help: "Model checkpoint (default: the best one)."),
            .option(
                "k", kind: .integer(1...Int.max), valueName: "k", multiple: true, help: "Cut-offs, e.g. --k 5 10 20 50."
            ),
            .option(
                "negatives", kind: .integer(0...Int.max), valueName: "n",
                help: "Sampled evaluation with n negatives per positive (0: full ranking)."),
            .option(
                "cold-history", kind: .integer(1...Int.max), valueName: "n",
                help: "cold_user: first interactions that represent each cold user (default 5)."),
            .option(
                "seed", kind: .integer(nil), help: "Seed of the random baseline and of sampled negatives (default 42)."),
            .flag("save-per-user", help: "Also save each user's metrics."),
            .option("output", short: "o", kind: .path, valueName: "file.json", help: "Write the results as JSON."),
            .option(
                "compare", kind: .path, valueName: "result.json", multiple: true,
                help: "Print earlier results side by side instead of evaluating."),
            .option(
                "chart", kind: .path, valueName: "file.png",
                help:
                    "With --compare: also draw the results as a PNG bar chart, one panel per metric, each bar with "
                    + "its 95% interval."),
        ],
        examples: [
            "pixelrec eval --config C --test_data T --train_data R --eval_task retrieval --recommender_type multimodal --output results/x.json",
            "pixelrec eval --task next_item --recommender-type item_knn --set evaluation.knn_neighbors=5 --k 10 20",
            "pixelrec eval --compare results/a.json results/b.json",
            "pixelrec eval --compare results/a.json results/b.json --chart results/compare.png",
        ]
    )

    static func run(_ context: CommandContext) throws {
        let invocation = context.invocation
        let compared = invocation.strings("compare")
        let chart = invocation.string("chart")
        if !compared.isEmpty {
            if let chart {
                guard chart.lowercased().hasSuffix(".png") else {
                    throw UsageError("--chart: the file name must end in .png (got '\(chart)')")
                }
                var paths = context.paths()
                for path in compared { paths.input(path, "--compare") }
                paths.output(chart, "--chart")
                try paths.check()
            }
            let reports = try compared.map { try loadReport($0) }
            context.console.write(EvalTable.comparison(reports, names: compared))
            if let chart {
                try EvalChart.chart(reports, paths: compared).write(to: chart)
                if !context.quiet { context.console.note("wrote \(chart)") }
            }
            return
        }
        if chart != nil {
            throw UsageError(
                "--chart draws the results given to --compare (pixelrec eval --compare a.json b.json --chart c.png)")
        }
        let config = try context.loadConfig()
        let clock = Clock()
        // The parser has checked both options against the enums' names.
        let task = invocation.string("task").flatMap(EvaluationTask.init(rawValue:)) ?? config.evaluation.task
        let recommender =
            invocation.string("recommender-type").flatMap(RecommenderType.init(rawValue:))
            ?? config.evaluation.recommenderType
        let ksGiven = invocation.strings("k").compactMap { Int($0) }
        let ks = Array(Set(ksGiven.isEmpty ? config.evaluation.kValues : ksGiven)).sorted()
        let negatives = invocation.int("negatives") ?? config.evaluation.negatives
        let seed = UInt64(truncatingIfNeeded: invocation.int("seed") ?? 42)
        let coldHistory = invocation.int("cold-history") ?? 5
        guard !ks.isEmpty, ks.allSatisfy({ $0 > 0 }) else {
            throw PixelError.invalidValue(setting: "evaluation.k_values", reason: "need at least one cut-off ≥ 1")
        }

        // Data: train, validation (optional), test on one index space.
        let trainPath = invocation.string("train-data") ?? config.data.trainDataPath
        let testPath = invocation.string("test-data") ?? config.data.testDataPath
        let validationPath = resolveValidation(invocation.string("val-data"), testPath: testPath, config: config)
        let output =
            invocation.string("output") ?? "\(config.resultsDir)/eval-\(recommender.rawValue)-\(task.rawValue).json"
        let savePerUser = invocation.flag("save-per-user") || config.evaluation.savePerUser
        var paths = context.paths()
        paths.input(trainPath, context.source("train-data", else: "data.train_data_path"))
        paths.input(validationPath, invocation.isSet("val-data") ? "--val-data" : "the validation file")
        paths.input(testPath, context.source("test-data", else: "data.test_data_path"))
        let checkpoint =
            recommender == .multimodal ? invocation.string("checkpoint") ?? config.checkpointDir + "/best.ckpt" : nil
        paths.input(checkpoint, context.source("checkpoint", else: "checkpoint_dir"))
        if recommender == .multimodal || recommender == .contentKNN || task == .beyondAccuracy {
            for modality in EncoderModality.allCases {
                paths.input(ItemFeatures.storePath(config, modality), "data.feature_store_path (\(modality.rawValue))")
            }
        }
        paths.output(output, invocation.isSet("output") ? "--output" : "results_dir")
        if savePerUser { paths.output(perUserPath(output), "--save-per-user") }
        try paths.check()

        if task == .nextItem && validationPath == nil {
            context.console.warning("next_item: no validation file found; only training items are masked")
        }
        let train = try context.loadInteractions(trainPath).0
        let validation = try validationPath.map { try context.loadInteractions($0).0 }
        let test = try context.loadInteractions(testPath).0
        if task != .coldItem {
            // cold_item evaluates items new to training by design; elsewhere they are most likely a mistake.
            let consequence = "added as items without training interactions"
            if let validation { context.warnUnknownItems(validation, catalog: train.itemIds, consequence: consequence) }
            context.warnUnknownItems(test, catalog: train.itemIds, consequence: consequence)
        }
        let data = try EvaluationData(train: train, validation: validation, test: test)
        let setup = try TaskSetup(task: task, data: data, coldHistory: coldHistory)
        let loadSeconds = clock.lap()

        let content = recommender == .contentKNN ? try requireContent(config, data: data) : nil
        let scorer = try makeScorer(
            recommender, data: data, setup: setup, config: config, seed: seed, content: content, context: context)
        let fitSeconds = clock.lap()
        let options = EvaluationOptions(ks: ks, negatives: negatives, seed: seed)
        let progress =
            context.quiet
            ? nil
            : Progress("eval \(recommender.rawValue) \(task.rawValue)", total: setup.queries.count, unit: "users")
        let outcome = try DistributedEvaluation.evaluate(
            scorer: scorer, queries: setup.queries, options: options, progress: progress)
        progress?.finish()
        let rankSeconds = clock.lap()
        let beyond = task == .beyondAccuracy
        var similarity: (any ItemSimilarity)? = nil
        if beyond {
            if let content = try content ?? ContentEmbeddings.load(config, itemIds: data.itemIds) {
                similarity = try EmbeddingCosine(
                    embeddings: content.rows, dimension: content.dimension, source: content.source)
            } else {
                similarity = InteractionCosine(train: data.train)
            }
        }
        let columns = Evaluation.columns(
            outcome: outcome, queries: setup.queries, data: data, beyondAccuracy: beyond, similarity: similarity)
        let metricSeconds = clock.lap()

        var notes = setup.notes
        if negatives > 0 {
            notes.append(
                "sampled evaluation: relevant items ranked among \(negatives) sampled negatives each, not full ranking")
        }
        let report = EvaluationReport(
            recommender: recommender.rawValue, scorer: scorer.description, task: task.rawValue,
            evaluationProtocol: options.protocolName, negatives: negatives, ks: ks,
            metrics: columns.map { EvaluationReport.Entry(name: $0.name, summary: $0.summary) },
            split: .init(
                train: trainPath, validation: validationPath, test: testPath, users: data.userCount,
                items: data.itemCount,
                trainInteractions: data.trainInteractions, evaluatedUsers: setup.queries.count),
            config: [
                "evaluation.task": task.rawValue, "evaluation.recommender_type": recommender.rawValue,
                "evaluation.k_values": ks.map(String.init).joined(separator: " "),
                "evaluation.negatives": String(negatives),
                "evaluation.knn_neighbors": String(config.evaluation.knnNeighbors),
                "evaluation.knn_shrinkage": String(config.evaluation.knnShrinkage),
                "seed": String(seed), "cold_history": String(coldHistory),
                "checkpoint": invocation.string("checkpoint") ?? "",
            ],
            timing: [
                "load": loadSeconds, "fit": fitSeconds, "rank": rankSeconds, "metrics": metricSeconds,
                "total": clock.total, "users_per_second": Double(setup.queries.count) / max(outcome.seconds, 1e-9),
            ],
            similaritySource: similarity?.source, notes: notes)

        guard Cluster.world.isRoot else { return }  // MPI: rank 0 writes
        try writeReport(report, to: output)
        if savePerUser {
            try writePerUser(columns, users: setup.queries.users, data: data, to: perUserPath(output))
        }
        context.console.write(EvalTable.single(report))
        if !context.quiet { context.console.note("wrote \(output)") }
    }

    /// The validation file: given, else `val.csv` beside the test file, else the configured one — each
    /// only when it exists.
    static func resolveValidation(_ given: String?, testPath: String, config: PixelRecConfig) -> String? {
        if let given { return given }
        let sibling = URL(fileURLWithPath: testPath).deletingLastPathComponent().appendingPathComponent("val.csv").path
        for candidate in [sibling, config.data.valDataPath] where FileManager.default.fileExists(atPath: candidate) {
            return candidate
        }
        return nil
    }

    /// The content embeddings `content_knn` needs.
    /// - Throws: `PixelError.invalidValue` naming `data.feature_store_path` when a store is absent.
    static func requireContent(_ config: PixelRecConfig, data: EvaluationData) throws -> ContentEmbeddings {
        guard let content = try ContentEmbeddings.load(config, itemIds: data.itemIds) else {
            throw PixelError.invalidValue(
                setting: "data.feature_store_path",
                reason:
                    "content_knn needs text.pxfs and image.pxfs in \(config.data.featureStorePath) (run pixelrec encode)"
            )
        }
        return content
    }

    static func makeScorer(
        _ recommender: RecommenderType, data: EvaluationData, setup: TaskSetup, config: PixelRecConfig, seed: UInt64,
        content: ContentEmbeddings?, context: CommandContext
    ) throws -> any Scorer {
        let k = config.evaluation.knnNeighbors
        let shrinkage = Float(config.evaluation.knnShrinkage)
        switch recommender {
        case .random: return RandomScorer(itemCount: data.itemCount, seed: seed)
        case .popularity: return PopularityScorer(train: data.train)
        case .itemKNN:
            return try ItemKNNScorer(train: data.train, profiles: setup.profiles, k: k, shrinkage: shrinkage)
        case .userKNN:
            return try UserKNNScorer(train: data.train, profiles: setup.profiles, k: k, shrinkage: shrinkage)
        case .contentKNN:
            let content = try content ?? requireContent(config, data: data)
            return try ContentKNNScorer(
                embeddings: content.rows, dimension: content.dimension, profiles: setup.profiles, k: k)
        case .multimodal:
            return try ContentEmbeddings.blend(
                try multimodalScorer(
                    data: data, setup: setup, config: context.invocation.isSet("config") ? config : nil,
                    checkpoint: context.invocation.string("checkpoint")), config: config,
                itemIds: data.itemIds, profiles: setup.profiles, content: content)
        }
    }

    /// The trained model's scorer over the evaluation's users and items: a ``ModelSession`` of the
    /// checkpoint (`--checkpoint`, else the best one) on the evaluation's configuration when `--config` is
    /// given, else on the configuration the checkpoint was trained with (its feature stores and item table).
    /// - Parameters:
    ///   - config: the `--config` file's configuration with the `--set` overrides, `nil` without `--config`.
    ///   - checkpoint: `--checkpoint`.
    static func multimodalScorer(
        data: EvaluationData, setup: TaskSetup, config given: PixelRecConfig?, checkpoint: String?
    )
        throws -> any Scorer
    {
        let path = checkpoint ?? (given ?? PixelRecConfig()).checkpointDir + "/best.ckpt"
        guard FileManager.default.fileExists(atPath: path) else {
            throw EvalError.unavailableRecommender(
                name: RecommenderType.multimodal.rawValue,
                reason: "no checkpoint at \(path) (run pixelrec train, or pass --checkpoint)")
        }
        let session = try ModelSession(
            config: given, options: ModelSession.Options(checkpoint: path, catalog: data.itemIds, interactions: false))
        let histories =
            session.isSequenceModel
            ? data.histories(task: setup.task, coldHistory: setup.coldHistory, users: 0..<data.userCount) : nil
        return try session.modelScorer(userIds: data.userIds, profiles: setup.profiles, histories: histories)
    }

    static func loadReport(_ path: String) throws -> EvaluationReport {
        guard let bytes = FileManager.default.contents(atPath: path) else {
            throw PixelError.io(path: path, reason: "cannot read file")
        }
        do {
            return try JSONDecoder().decode(EvaluationReport.self, from: bytes)
        } catch {
            throw EvalError.invalidResults(path: path, reason: "not a pixelrec eval result (\(decodingSummary(error)))")
        }
    }

    static func decodingSummary(_ error: Error) -> String {
        switch error {
        case let DecodingError.keyNotFound(key, _): return "missing key '\(key.stringValue)'"
        case let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context):
            return "wrong type at '\(context.codingPath.map(\.stringValue).joined(separator: "."))'"
        case DecodingError.dataCorrupted: return "invalid JSON"
        default: return "\(error)"
        }
    }

    static func writeReport(_ report: EvaluationReport, to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(try encoder.encode(report) + Data("\n".utf8), to: path)
    }

    static func perUserPath(_ output: String) -> String {
        (output.hasSuffix(".json") ? String(output.dropLast(5)) : output) + ".per_user.csv"
    }

    /// One row per evaluated user: `user_id` then every per-user metric (empty when undefined).
    static func writePerUser(_ columns: [Evaluation.Column], users: [Int32], data: EvaluationData, to path: String)
        throws
    {
        let perUser = columns.filter { $0.perUser != nil }
        var text = "user_id," + perUser.map(\.name).joined(separator: ",") + "\n"
        for (q, user) in users.enumerated() {
            text += csvField(data.userIds.key(user))
            for column in perUser {
                let value = column.perUser?[q] ?? .nan
                text += value.isNaN ? "," : "," + String(format: "%.6f", value)
            }
            text += "\n"
        }
        try AtomicFile.write(text, to: path)
    }

    static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// Wall-clock laps.
    final class Clock {
        let start = Date()
        var last = Date()
        func lap() -> Double {
            let now = Date()
            defer { last = now }
            return now.timeIntervalSince(last)
        }
        var total: Double { Date().timeIntervalSince(start) }
    }
}
