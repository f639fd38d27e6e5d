import Foundation
import PixelArguments
import PixelConfig
import PixelCore
import PixelData
import PixelEncoders
import PixelModels
import PixelSession

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
            .option(
                "device", kind: .choice(["cpu", "cuda", "mps"]), default: "cpu",
                help: "Compute device: pixelrec runs on the CPU; cuda and mps are accepted with a note and use the CPU."
            ),
            .option("epochs", kind: .integer(1...Int.max), valueName: "n", help: "Overrides training.epochs."),
            .option("seed", kind: .integer(nil), help: "Overrides training.seed."),
            .option("threads", kind: .integer(1...1024), valueName: "n", help: "Overrides training.threads."),
            .option(
                "tensorboard", kind: .path, valueName: "dir",
                help: "Also write TensorBoard event files to this folder."),
            .flag(
                "use-wandb",
                help: "No network here: write TensorBoard event files to <results_dir>/tensorboard/<wandb project> "
                    + "and print the `wandb sync` command that uploads them."),
            .option("wandb-project", valueName: "name", help: "With --use-wandb: the project (default pixelrec)."),
            .option("wandb-entity", valueName: "name", help: "With --use-wandb: the entity passed to `wandb sync`."),
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
        if let device = invocation.string("device"), device != "cpu" {
            console.warning(
                "--device \(device): pixelrec has no GPU backend; training runs on the CPU (\(threads) threads)")
        }
        let wandb = try WandbBridge(invocation: invocation, resultsDir: config.resultsDir, warn: console.warning)
        let tensorboard = invocation.string("tensorboard") ?? wandb?.directory
        let log: (String) -> Void = { line in if !context.quiet { console.note(line) } }
        let validationPath = config.data.valDataPath
        var paths = context.paths()
        paths.input(config.data.trainDataPath, "data.train_data_path")
        paths.input(validationPath, "data.val_data_path")
        ModelInputs.declareItemInputs(config, into: &paths)
        let trainsTextTop = ItemFeatures.cachesHiddenStates(config)
        if trainsTextTop {
            paths.input(config.model.resolvedLanguageModelPath, "model.language_model_path", directory: true)
            paths.output(ItemFeatures.hiddenStatesPath(config), "data.feature_store_path")
        }
        for name in ["last.ckpt", "best.ckpt", "metrics.jsonl", "metrics.csv", "training_curves.png"] {
            paths.output(config.checkpointDir + "/" + name, "checkpoint_dir")
        }
        paths.output(
            tensorboard, invocation.string("tensorboard") != nil ? "--tensorboard" : "--use-wandb", directory: true)
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
        try phases.measure("encode") {
            try ClusterRun.rootFirst("features") { try ModelInputs.ensureFeatures(config, threads: threads, log: log) }
        }
        let (table, scalers) = try phases.measure("scalers") {
            let table = try ModelInputs.itemTable(config)
            return (
                table,
                try ModelInputs.fitScalers(config, table: table, trainItems: train.itemIds, warn: console.warning)
            )
        }
        // model.trainable_encoder_layers: the top imported from the ONNX file, its cache brought up to date.
        let textTop = try phases.measure("encode") {
            try ClusterRun.rootFirst("text top") {
                trainsTextTop ? try ModelInputs.importTextTop(config, threads: threads, log: log) : nil
            }
        }
        let inputs = try phases.measure("content") {
            let catalog = try Trainer.catalog(train: train, validation: validation)
            var inputs = try Trainer.Inputs(
                config: config, train: train, validation: validation,
                content: try ModelInputs.withTextViews(
                    try ModelInputs.content(
                        config, table: table, itemIds: catalog, scalers: scalers, textTop: textTop?.architecture),
                    config: config, itemIds: catalog),
                scalers: scalers)
            if let textTop {
                guard inputs.content.textWidth == textTop.width else {
                    throw PixelError.invalidValue(
                        setting: "model.trainable_encoder_layers",
                        reason:
                            "the text top is \(textTop.width) wide, the text store \(inputs.content.textWidth); run pixelrec encode --force --only text"
                    )
                }
                inputs.hyperparameters.textTop = textTop.architecture
                inputs.textTopWeights = textTop.stateDict()
            }
            return inputs
        }
        if inputs.content.textViewCount > 0 {
            let covered = inputs.content.hasTextViews.filter { $0 }.count
            log(
                "text augmentation: \(inputs.content.textViewCount) views per item for \(covered) of "
                    + "\(inputs.content.count) items (\(ItemFeatures.textViewsPath(config))); one drawn per item and step"
            )
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
                tensorboard: tensorboard, threads: threads,
                progress: context.quiet ? .quiet : Progress.defaultStyle, log: log))
        let summary = try trainer.run()
        let best = summary.bestMetric.map { String(format: "%.4f", $0) } ?? "n/a"
        console.line(
            "trained \(summary.history.count) epochs in \(Progress.formatSeconds(summary.seconds)); best \(summary.metricName) "
                + "\(best) at epoch \(summary.bestEpoch)\(summary.stoppedEarly ? " (early stop)" : "") → \(summary.bestCheckpoint)"
        )
        phases.append(summary.phases)
        log("time: " + phases.summary)
        if let wandb, let tensorboard { console.line(wandb.uploadHint(tensorboard)) }
    }

    /// `id`, or e.g. `sequence(max_seq_len 50, 2 blocks, 1 head)` for the training log.
    static func userEncoderSummary(_ model: ModelConfig) -> String {
        guard model.userEncoder != .id else { return model.userEncoder.rawValue }
        func count(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }
        return "\(model.userEncoder.rawValue)(max_seq_len \(model.maxSeqLen), \(count(model.seqBlocks, "block")), "
            + "\(count(model.seqHeads, "head")))"
    }
}

/// `--use-wandb` without a network: the run's curves go to TensorBoard event files, which `wandb sync
/// --sync-tensorboard` uploads to Weights & Biases later.
struct WandbBridge {
    let project: String
    let entity: String?
    let directory: String

    /// `nil` without `--use-wandb` (then `--wandb-project` / `--wandb-entity` only get a warning).
    /// - Throws: ``PixelError/invalidValue(setting:reason:)`` for a project name that is not one folder name.
    init?(invocation: Invocation, resultsDir: String, warn: (String) -> Void) throws {
        let project = invocation.string("wandb-project"), entity = invocation.string("wandb-entity")
        guard invocation.flag("use-wandb") else {
            if project != nil || entity != nil {
                warn("--wandb-project / --wandb-entity have no effect without --use-wandb")
            }
            return nil
        }
        if let project, project.isEmpty || project.contains("/") || project == "." || project == ".." {
            throw PixelError.invalidValue(setting: "--wandb-project", reason: "'\(project)' is not a folder name")
        }
        self.project = project ?? "pixelrec"
        self.entity = entity
        directory = resultsDir + "/tensorboard/" + self.project
    }

    /// The line telling how to upload the event files.
    func uploadHint(_ tensorboard: String) -> String {
        "wandb: no network access from pixelrec; upload the TensorBoard events with: wandb sync --sync-tensorboard "
            + "--project \(project)" + (entity.map { " --entity \($0)" } ?? "") + " \(tensorboard)"
    }
}
