import Foundation
import PixelArguments
import PixelConfig
import PixelCore
import PixelData
import PixelModels

/// `pixelrec train`: train a multimodal recommender.
enum TrainCommand: Subcommand {
    static let command = Command(
        name: "train",
        abstract: "Train a multimodal recommender (item features are encoded first when missing).",
        discussion: """
            Trains model.model_class (pretrained | enhanced) on data.train_data_path, validating by full-ranking \
            training.early_stopping_metric on data.val_data_path every training.eval_every epochs. Checkpoints \
            (model, optimizer and scheduler state, RNG seed and epoch, id maps, scalers, config) are written \
            atomically to checkpoint_dir as last.ckpt after every epoch and best.ckpt at the best epoch; --resume \
            continues a run exactly where it stopped. Per-epoch metrics go to metrics.jsonl and metrics.csv, \
            curves to training_curves.png. One step = training.batch_size positives, each with \
            data.negative_sampling_ratio sampled negatives. Mixed precision is not offered: on CPU it brings no \
            speed, so training runs in float32. Parallelism: training.threads data-parallel workers (0 = one per \
            core), each step's batch split over them with single-threaded BLAS each; results are deterministic \
            for a given thread count, and 1 thread is the single-replica step.
            """,
        arguments: CommonOptions.all + [
            .option("resume", kind: .path, valueName: "checkpoint", help: "Continue from this checkpoint."),
            .option("device", kind: .choice(["cpu"]), default: "cpu", help: "Compute device (CPU only)."),
            .option("epochs", kind: .integer(1...Int.max), valueName: "n", help: "Overrides training.epochs."),
            .option("seed", kind: .integer(nil), help: "Overrides training.seed."),
            .option("threads", kind: .integer(1...1024), valueName: "n", help: "Overrides training.threads."),
            .option(
                "tensorboard", kind: .path, valueName: "dir",
                help: "Also write TensorBoard event files to this folder."),
        ],
        examples: [
            "pixelrec train --config configs/default_config.yaml",
            "pixelrec train --resume models/checkpoints/last.ckpt",
        ]
    )

    static func run(_ context: CommandContext) throws {
        var config = try context.loadConfig()
        let invocation = context.invocation
        if let epochs = invocation.int("epochs") { config.training.epochs = epochs }
        if let seed = invocation.int("seed") { config.training.seed = seed }
        if let threads = invocation.int("threads") { config.training.threads = threads }
        let threads = ThreadCount.resolve(config.training.threads)
        let console = context.console
        let log: (String) -> Void = { line in if !context.quiet { console.note(line) } }
        let validationPath = config.data.valDataPath
        var paths = context.paths()
        paths.input(config.data.trainDataPath, "data.train_data_path")
        paths.input(validationPath, "data.val_data_path")
        ModelInputs.declareItemInputs(config, into: &paths)
        for name in ["last.ckpt", "best.ckpt", "metrics.jsonl", "metrics.csv", "training_curves.png"] {
            paths.output(config.checkpointDir + "/" + name, "checkpoint_dir")
        }
        paths.output(invocation.string("tensorboard"), "--tensorboard", directory: true)
        try paths.check()

        var phases = PhaseTimes()
        let (train, _) = try phases.measure("load") { try context.loadInteractions(config.data.trainDataPath) }
        var validation = try phases.measure("load") {
            FileManager.default.fileExists(atPath: validationPath)
                ? try context.loadInteractions(validationPath).0 : nil
        }
        if validation == nil {
            console.warning("\(validationPath): no validation file; training without early stopping")
        } else if validation?.count == 0 {
            console.warning("\(validationPath): no validation rows; training without early stopping")
            validation = nil
        }
        try phases.measure("encode") { try ModelInputs.ensureFeatures(config, threads: threads, log: log) }
        let (table, scalers) = try phases.measure("scalers") {
            let table = try ModelInputs.itemTable(config)
            return (
                table,
                try ModelInputs.fitScalers(config, table: table, trainItems: train.itemIds, warn: console.warning)
            )
        }
        let inputs = try phases.measure("content") {
            let catalog = try Trainer.catalog(train: train, validation: validation)
            return try Trainer.Inputs(
                config: config, train: train, validation: validation,
                content: try ModelInputs.content(config, table: table, itemIds: catalog, scalers: scalers),
                scalers: scalers)
        }
        log(
            "train: \(train.count) interactions, \(train.userIds.count) users, \(train.itemIds.count) items; "
                + "model \(config.model.modelClass.rawValue), users \(userEncoderSummary(config.model)), "
                + "items \(config.model.itemTower.rawValue), scoring \(config.model.scoring.rawValue), "
                + "loss \(config.training.loss.rawValue), "
                + "\(threads) thread\(threads == 1 ? "" : "s")")
        let trainer = Trainer(
            inputs: inputs,
            options: Trainer.Options(
                checkpointDirectory: config.checkpointDir, resume: invocation.string("resume"),
                tensorboard: invocation.string("tensorboard"), threads: threads,
                progress: context.quiet ? .quiet : Progress.defaultStyle, log: log))
        let summary = try trainer.run()
        let best = summary.bestMetric.map { String(format: "%.4f", $0) } ?? "n/a"
        console.line(
            "trained \(summary.history.count) epochs in \(Progress.formatSeconds(summary.seconds)); best \(summary.metricName) "
                + "\(best) at epoch \(summary.bestEpoch)\(summary.stoppedEarly ? " (early stop)" : "") → \(summary.bestCheckpoint)"
        )
        phases.append(summary.phases)
        log("time: " + phases.summary)
    }

    /// `id`, or e.g. `sequence(max_seq_len 50, 2 blocks, 1 head)` for the training log.
    static func userEncoderSummary(_ model: ModelConfig) -> String {
        guard model.userEncoder != .id else { return model.userEncoder.rawValue }
        func count(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }
        return "\(model.userEncoder.rawValue)(max_seq_len \(model.maxSeqLen), \(count(model.seqBlocks, "block")), "
            + "\(count(model.seqHeads, "head")))"
    }
}
