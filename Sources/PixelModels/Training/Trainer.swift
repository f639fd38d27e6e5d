import Foundation
import PixelCluster
import PixelConfig
import PixelCore
import PixelData
import PixelEval
import PixelNN
import PixelOptim
import PixelTensor

/// `pixelrec train`'s loop: negative sampling, optimizer, schedule, clipping, validation by full
/// ranking, early stopping, checkpoints, logs and charts.
///
/// Reproducibility: every random stream of epoch `e` (positive order, negatives, dropout and item-ID
/// dropout masks) is a function of `(training.seed, e)`, and a checkpoint is written at every epoch
/// boundary with the model, optimizer state, learning rate and history; the plateau scheduler's state is
/// rebuilt by replaying the recorded validation metrics. So a run resumed from its last checkpoint
/// continues exactly as if it had not stopped (bit-identical for a given thread count).
///
/// Parallelism: with `threads` = W > 1 each step is split over W data-parallel shards (see
/// ``PretrainedMultimodalRecommender/lossAndGradients(_:content:settings:workers:)``); W = 1 is the
/// single-replica step. Under `mpirun -n N` the W shards are spread over the N ranks (``Options/cluster``),
/// so `mpirun -n N … --threads 1` takes the same steps, bit for bit, as `--threads N` in one process.
public struct Trainer {
    /// What the run trains on.
    public struct Inputs {
        /// The `training:` settings.
        public var training: TrainingConfig
        /// The model to train (its user and item counts are the training table's).
        public var hyperparameters: ModelHyperparameters
        /// Negatives of the (user, item) losses of the ID user encoder.
        public var sampling: NegativeSampling
        /// Training interactions; its id maps become the model's.
        public var train: InteractionTable
        /// Validation interactions (any id maps), or `nil` to skip validation.
        public var validation: InteractionTable?
        /// Content features of the catalog ``Trainer/catalog(train:validation:)`` (rows in its order).
        public var content: ItemContent
        /// Numeric scalers fitted on the training items (saved in checkpoints).
        public var scalers: ScalerSet
        /// The whole configuration as YAML, saved in checkpoints.
        public var configYAML: String
        /// The imported weights of the text top (``TrainableEncoderTop/stateDict()``) when
        /// ``ModelHyperparameters/textTop`` is set: its starting point (a resumed run then loads its own).
        public var textTopWeights: [String: Tensor]? = nil

        public init(
            training: TrainingConfig, hyperparameters: ModelHyperparameters, sampling: NegativeSampling,
            train: InteractionTable, validation: InteractionTable?, content: ItemContent, scalers: ScalerSet,
            configYAML: String
        ) {
            self.training = training
            self.hyperparameters = hyperparameters
            self.sampling = sampling
            self.train = train
            self.validation = validation
            self.content = content
            self.scalers = scalers
            self.configYAML = configYAML
        }

        /// The inputs of `config` (model from `config.model` for `content`'s feature widths, seeded with
        /// `training.seed`); `content` holds the rows of ``Trainer/catalog(train:validation:)``.
        /// - Throws: ``ModelError/invalidSetting(key:reason:)`` for model settings the layers cannot take.
        public init(
            config: PixelRecConfig, train: InteractionTable, validation: InteractionTable?, content: ItemContent,
            scalers: ScalerSet
        ) throws {
            let hyper = try ModelHyperparameters(
                model: config.model, seed: UInt64(truncatingIfNeeded: config.training.seed),
                userCount: train.userIds.count, itemCount: train.itemIds.count, visionWidth: content.visionWidth,
                textWidth: content.textWidth, numericWidth: content.numericWidth)
            self.init(
                training: config.training, hyperparameters: hyper, sampling: NegativeSampling(config.data),
                train: train, validation: validation, content: content, scalers: scalers,
                configYAML: config.yamlText())
        }
    }

    /// Negatives per positive and how they are drawn (`data.negative_sampling_ratio`, `_strategy`).
    public struct NegativeSampling: Sendable, Equatable {
        public var ratio: Int
        public var strategy: NegativeSamplingStrategy

        public init(ratio: Int, strategy: NegativeSamplingStrategy) {
            self.ratio = ratio
            self.strategy = strategy
        }

        public init(_ data: DataConfig) {
            self.init(ratio: max(1, Int(data.negativeSamplingRatio.rounded())), strategy: data.negativeSamplingStrategy)
        }
    }

    /// How the run is driven.
    public struct Options {
        /// Where `last.ckpt`, `best.ckpt`, `metrics.jsonl`, `metrics.csv` and `training_curves.png` go.
        public var checkpointDirectory: String
        /// Continue from this checkpoint.
        public var resume: String?
        /// Also write TensorBoard event files here.
        public var tensorboard: String?
        /// Data-parallel workers of a training step (each with single-threaded BLAS) and evaluation
        /// threads. Results are deterministic for a given count; 1 is the single-replica step.
        public var threads: Int
        /// Progress bar style.
        public var progress: ProgressStyle
        /// Receives one line per epoch.
        public var log: (String) -> Void
        /// Stop after this many epochs of this invocation (tests simulate an interrupted run); nil = no limit.
        public var stopAfterEpochs: Int?
        /// The ranks of an MPI job training together (default: the process's ``Cluster/world``, this
        /// process alone outside `mpirun`/`srun`). Each step's shards are spread over the ranks; every rank
        /// takes the same optimizer step; rank 0 alone writes checkpoints, logs and charts.
        public var cluster: Cluster = .world

        public init(
            checkpointDirectory: String, resume: String? = nil, tensorboard: String? = nil, threads: Int = 1,
            progress: ProgressStyle = .quiet, log: @escaping (String) -> Void = { _ in }, stopAfterEpochs: Int? = nil
        ) {
            self.checkpointDirectory = checkpointDirectory
            self.resume = resume
            self.tensorboard = tensorboard
            self.threads = threads
            self.progress = progress
            self.log = log
            self.stopAfterEpochs = stopAfterEpochs
        }
    }

    /// The outcome of a run.
    public struct Summary {
        public var history: [EpochRecord]
        public var bestEpoch: Int
        public var bestMetric: Double?
        public var metricName: String
        public var stoppedEarly: Bool
        public var bestCheckpoint: String
        public var lastCheckpoint: String
        public var seconds: Double
        /// Where the run's time went: model set-up, per-epoch negative sampling, the
        /// training steps (batch assembly, forward and backward, clipping, optimizer), validation,
        /// checkpoints, logs and charts.
        public var phases: PhaseTimes
    }

    public let inputs: Inputs
    public let options: Options

    public init(inputs: Inputs, options: Options) {
        self.inputs = inputs
        self.options = options
    }

    /// The item catalog of a run: the training items first (the model's item indices), then the items
    /// first seen in `validation`, in order of appearance. ``Inputs/content`` has its rows.
    public static func catalog(train: InteractionTable, validation: InteractionTable?) throws -> IdMap {
        try validation.map { try $0.remapped(userIds: train.userIds, itemIds: train.itemIds, unknown: .add).itemIds }
            ?? train.itemIds
    }

    /// Runs (or resumes) training.
    /// - Throws: ``ModelError``, data and I/O errors.
    public func run() throws -> Summary {
        let t = inputs.training
        try Self.validate(t)
        let started = PhaseTimes.wallSeconds()
        let directory = options.checkpointDirectory
        let lastPath = directory + "/last.ckpt", bestPath = directory + "/best.ckpt"
        var observer = TrainingObserver(directory: directory, options: options)
        let writes = options.cluster.isRoot
        let run = try TrainingRun(
            inputs: inputs, threads: options.threads, cluster: options.cluster, phases: &observer.phases)
        let stopping = EarlyStopping(t, validates: run.validation != nil)
        if let note = run.validationNote { options.log(note) }
        if writes { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        var state = TrainingState(training: t)
        if let resume = options.resume {
            let header = try observer.phases.measure("resume") { try run.resume(from: resume) }
            state = TrainingState(resuming: header, training: t, stopping: stopping)
            run.optimizer.learningRate = Float(header.learningRate)
            // A finished run continues only when more epochs are asked for and it did not stop early.
            if header.finished
                && (header.epoch >= t.epochs || stopping.shouldStop(state.history, bestEpoch: state.bestEpoch))
            {
                options.log("checkpoint \(resume) is of a finished run (epoch \(header.epoch)); nothing to do")
                return Summary(
                    history: state.history, bestEpoch: state.bestEpoch, bestMetric: state.bestMetric,
                    metricName: stopping.metricName, stoppedEarly: false, bestCheckpoint: bestPath,
                    lastCheckpoint: lastPath, seconds: 0, phases: observer.phases)
            }
        }
        var epochsRun = 0
        let firstStep = state.globalStep
        while state.epoch < t.epochs {
            let epoch = state.epoch + 1, epochStart = PhaseTimes.wallSeconds()
            var record = try run.runEpoch(epoch, state: &state, observer: &observer)
            if run.validation != nil, epoch % t.evalEvery == 0 || epoch == t.epochs {
                record.validation = try observer.phases.measure("validation") { try run.validate() }
            }
            record.seconds = PhaseTimes.wallSeconds() - epochStart
            let improved = state.record(record, training: t, stopping: stopping)
            let finished = state.stoppedEarly || epoch == t.epochs
            if writes {
                try observer.phases.measure("checkpoint") {
                    try run.checkpoint(
                        state, stopping: stopping, finished: finished, to: lastPath, alsoAs: improved ? [bestPath] : [])
                }
                try observer.epochFinished(
                    state.history, improved: improved, metricName: stopping.metricName, runStarted: state.runStarted)
            }
            epochsRun += 1
            if state.stoppedEarly {
                observer.stoppedEarly(stopping, bestEpoch: state.bestEpoch)
                break
            }
            if let stop = options.stopAfterEpochs, epochsRun >= stop { break }
        }
        if writes { try observer.runFinished(state.history, bestEpoch: state.bestEpoch) }
        if options.cluster.isDistributed {
            options.log("mpi: \(options.cluster.size) ranks; rank 0's collectives:")
            for line in options.cluster.summary(steps: state.globalStep - firstStep) { options.log("  " + line) }
        }
        return Summary(
            history: state.history, bestEpoch: state.bestEpoch, bestMetric: state.bestMetric,
            metricName: stopping.metricName, stoppedEarly: state.stoppedEarly, bestCheckpoint: bestPath,
            lastCheckpoint: lastPath, seconds: PhaseTimes.wallSeconds() - started, phases: observer.phases)
    }
}
