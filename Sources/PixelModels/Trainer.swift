import Foundation
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
/// single-replica step.
public struct Trainer {
    /// What the run trains on.
    public struct Inputs {
        public var config: PixelRecConfig
        /// Training interactions; its id maps become the model's.
        public var train: InteractionTable
        /// Validation interactions (any id maps), or `nil` to skip validation.
        public var validation: InteractionTable?
        /// Content features of an item id space (rows in that space's order).
        public var content: (IdMap) throws -> ItemContent
        /// Numeric scalers fitted on the training items (saved in checkpoints).
        public var scalers: ScalerSet

        public init(
            config: PixelRecConfig, train: InteractionTable, validation: InteractionTable?,
            content: @escaping (IdMap) throws -> ItemContent, scalers: ScalerSet
        ) {
            self.config = config
            self.train = train
            self.validation = validation
            self.content = content
            self.scalers = scalers
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
        /// Where the run's time went: content loading, model set-up, per-epoch negative sampling, the
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

    static func now() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }

    static func makeOptimizer(_ t: TrainingConfig, parameters: [(String, Parameter)]) -> any Optimizer {
        let lr = Float(t.learningRate)
        switch t.optimizerType {
        case .adamw:
            return AdamW(
                namedParameters: parameters, learningRate: lr, beta1: Float(t.adamBeta1), beta2: Float(t.adamBeta2),
                epsilon: Float(t.adamEps), weightDecay: Float(t.weightDecay))
        case .adam:
            return Adam(
                namedParameters: parameters, learningRate: lr, beta1: Float(t.adamBeta1), beta2: Float(t.adamBeta2),
                epsilon: Float(t.adamEps), weightDecay: Float(t.weightDecay))
        case .sgd:
            return SGD(
                namedParameters: parameters, learningRate: lr, momentum: Float(t.momentum),
                nesterov: t.nesterov && t.momentum > 0,
                weightDecay: Float(t.weightDecay))
        }
    }

    /// Validates the training settings the loop depends on.
    static func validate(_ t: TrainingConfig) throws {
        guard t.batchSize > 0 else {
            throw ModelError.invalidSetting(key: "training.batch_size", reason: "must be positive")
        }
        guard t.epochs > 0 else { throw ModelError.invalidSetting(key: "training.epochs", reason: "must be positive") }
        guard t.learningRate > 0, t.learningRate.isFinite else {
            throw ModelError.invalidSetting(key: "training.learning_rate", reason: "must be a positive number")
        }
        guard t.evalEvery > 0 else {
            throw ModelError.invalidSetting(key: "training.eval_every", reason: "must be positive")
        }
        guard t.patience >= 0 else { throw ModelError.invalidSetting(key: "training.patience", reason: "must be ≥ 0") }
        guard t.gradientClip >= 0 else {
            throw ModelError.invalidSetting(key: "training.gradient_clip", reason: "must be ≥ 0")
        }
        if t.optimizerType == .sgd && t.nesterov && t.momentum <= 0 {
            throw ModelError.invalidSetting(key: "training.nesterov", reason: "Nesterov needs training.momentum > 0")
        }
        if t.useLRScheduler && t.lrSchedulerType == .reduceOnPlateau
            && !(t.lrSchedulerFactor > 0 && t.lrSchedulerFactor < 1)
        {
            throw ModelError.invalidSetting(key: "training.lr_scheduler_factor", reason: "must be in (0, 1)")
        }
        if t.useLRScheduler && t.lrSchedulerType == .step && t.lrSchedulerStepSize <= 0 {
            throw ModelError.invalidSetting(key: "training.lr_scheduler_step_size", reason: "must be positive")
        }
    }

    /// Learning rate of `epoch` (1-based) at `stepInEpoch` for the per-step/per-epoch schedules;
    /// `plateauRate` is the plateau scheduler's current rate.
    static func learningRate(
        _ t: TrainingConfig, epoch: Int, stepInEpoch: Int, stepsPerEpoch: Int, plateauRate: Float
    ) -> Float {
        let base = Float(t.learningRate)
        let warmupSteps = t.warmupEpochs * stepsPerEpoch
        let step = (epoch - 1) * stepsPerEpoch + stepInEpoch
        let warm: Float = warmupSteps > 0 && step < warmupSteps ? Float(step + 1) / Float(warmupSteps) : 1
        guard t.useLRScheduler else { return base * warm }
        switch t.lrSchedulerType {
        case .cosine:
            let schedule = CosineSchedule(
                base: base, warmupSteps: warmupSteps, totalSteps: max(t.epochs * stepsPerEpoch, warmupSteps + 1),
                minimum: Float(t.lrSchedulerMinLR))
            return schedule.learningRate(atStep: step)
        case .step:
            let after = max(0, epoch - 1 - t.warmupEpochs)
            return max(
                Float(t.lrSchedulerMinLR),
                StepSchedule(base: base, stepSize: t.lrSchedulerStepSize, gamma: Float(t.lrSchedulerGamma))
                    .learningRate(atEpoch: after)) * warm
        case .reduceOnPlateau:
            return plateauRate * warm
        }
    }

    /// Runs (or resumes) training.
    /// - Throws: ``ModelError``, data and I/O errors.
    public func run() throws -> Summary {
        let config = inputs.config, t = config.training
        try Self.validate(t)
        let started = Self.now()
        var phases = PhaseTimes()
        // Data parallelism: `threads` shards per step, each on one core with single-threaded BLAS
        // (measured faster than multi-threaded BLAS on these small matrices).
        let workers = max(1, options.threads)
        BLAS.setThreadCount(1)
        let train = inputs.train
        guard train.count > 0 else { throw ModelError.noData("\(train.path) has no interactions") }
        // Catalog: training items first (the model's item indices), then items first seen in validation.
        let evalData = try inputs.validation.map { try EvaluationData(train: train, validation: nil, test: $0) }
        let catalog = evalData?.itemIds ?? train.itemIds
        let content = try phases.measure("content") { try inputs.content(catalog) }
        guard content.count == catalog.count else {
            throw ModelError.shapeMismatch(
                what: "content rows for the item catalog", expected: catalog.count, found: content.count)
        }
        let seed = UInt64(truncatingIfNeeded: t.seed)
        let hyper = try ModelHyperparameters(
            model: config.model, seed: seed, userCount: train.userIds.count, itemCount: train.itemIds.count,
            visionWidth: content.visionWidth, textWidth: content.textWidth, numericWidth: content.numericWidth)
        let model = phases.measure("model") { PretrainedMultimodalRecommender.make(hyper) }
        let optimizer = Self.makeOptimizer(t, parameters: model.namedParameters())
        (optimizer as? Adam)?.workers = workers
        let ratio = max(1, Int(config.data.negativeSamplingRatio.rounded()))
        // Sequence models learn from time-ordered windows of each user's history; the others from
        // (user, positive, negatives) rows.
        let sequencePlan = hyper.sequence.map {
            SequenceTraining(train: train, itemCount: hyper.itemCount, length: $0.maxLength, training: t, seed: seed)
        }
        var dataset: TrainingDataset? = nil
        if sequencePlan == nil {
            dataset = try phases.measure("dataset") {
                try TrainingDataset(
                    train: train,
                    options: DatasetOptions(
                        negativeRatio: ratio,
                        sampling: config.data.negativeSamplingStrategy == .popularity ? .popularity : .uniform,
                        batchSize: t.batchSize, shuffle: false, seed: seed))
            }
        }
        let metricName = t.earlyStoppingMetric.description
        let higherIsBetter = t.earlyStoppingMetric.higherIsBetter
        var history: [EpochRecord] = []
        var bestMetric: Double? = nil
        var bestEpoch = 0
        var startEpoch = 0
        var globalStep = 0
        var runStarted = Date().timeIntervalSince1970
        var plateau = ReduceOnPlateau(
            mode: higherIsBetter ? .max : .min, factor: Float(t.lrSchedulerFactor), patience: t.lrSchedulerPatience,
            minimum: Float(t.lrSchedulerMinLR))
        var plateauRate = Float(t.learningRate)
        let directory = options.checkpointDirectory
        let lastPath = directory + "/last.ckpt", bestPath = directory + "/best.ckpt"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        if let resume = options.resume {
            let checkpoint = try phases.measure("resume") { try Checkpoint.read(from: resume) }
            let h = checkpoint.header
            guard h.userKeys == train.userIds.keys, h.itemKeys == train.itemIds.keys else {
                throw ModelError.invalidCheckpoint(
                    path: resume, reason: "its id maps differ from \(train.path) (another split?)")
            }
            guard h.hyperparameters == hyper else {
                throw ModelError.invalidCheckpoint(
                    path: resume, reason: "its model settings differ from the configuration's")
            }
            do {
                try model.load(stateDict: checkpoint.tensors)
                try optimizer.load(stateDict: checkpoint.optimizerState)
            } catch {
                throw ModelError.invalidCheckpoint(path: resume, reason: "\(error)")
            }
            history = h.history
            bestMetric = h.bestMetric
            bestEpoch = h.bestEpoch
            startEpoch = h.epoch
            globalStep = h.globalStep
            runStarted = h.runStarted
            // Rebuild the plateau scheduler's state by replaying the recorded metrics.
            for r in history where r.epoch > t.warmupEpochs {
                if let m = r.validation[metricName] {
                    plateauRate = plateau.step(metric: Float(m), learningRate: plateauRate)
                }
            }
            optimizer.learningRate = Float(h.learningRate)
            // A finished run continues only when more epochs are asked for and it did not stop early.
            let stoppedEarlyBefore =
                t.patience > 0 && inputs.validation != nil
                && history.filter { $0.epoch > bestEpoch && $0.validation[metricName] != nil }.count >= t.patience
            if h.finished && (h.epoch >= t.epochs || stoppedEarlyBefore) {
                options.log("checkpoint \(resume) is of a finished run (epoch \(h.epoch)); nothing to do")
                return Summary(
                    history: history, bestEpoch: bestEpoch, bestMetric: bestMetric, metricName: metricName,
                    stoppedEarly: false,
                    bestCheckpoint: bestPath, lastCheckpoint: lastPath, seconds: 0, phases: phases)
            }
        }
        let examplesPerEpoch = sequencePlan?.windows.count ?? dataset?.users.count ?? 0
        guard examplesPerEpoch > 0 else {
            throw ModelError.noData("\(train.path) has no training sequence of two or more interactions")
        }
        let stepsPerEpochFull = (examplesPerEpoch + t.batchSize - 1) / t.batchSize
        let stepsPerEpoch = t.maxStepsPerEpoch > 0 ? min(t.maxStepsPerEpoch, stepsPerEpochFull) : stepsPerEpochFull
        let settings = LossSettings(
            loss: t.loss, recommendationWeight: Float(t.bceWeight),
            contrastiveWeight: config.model.useContrastive ? Float(t.contrastiveWeight) : 0)
        let itemIds = (0..<Int32(catalog.count)).map { $0 < Int32(hyper.itemCount) ? $0 : -1 }
        let validation = try evalData.map { try TaskSetup(task: .retrieval, data: $0) }
        let ks = Array(Set([5, 10, 20] + (t.earlyStoppingMetric.rankingK.map { [$0] } ?? []))).sorted()
        // Sequence models: each training user's history for validation (the same every epoch).
        let validationHistories = sequencePlan?.histories(users: hyper.userCount)
        var stoppedEarly = false
        var epochsRun = 0
        var epoch = startEpoch
        while epoch < t.epochs {
            epoch += 1
            let epochStart = Self.now()
            model.startEpoch(epoch)
            model.setTraining(true)
            let (rows, order) = phases.measure("sampling") { () -> (PixelData.Batch?, [Int]) in
                if let sequencePlan { return (nil, sequencePlan.order(epoch: epoch)) }
                let rows = dataset?.epochRows(epoch)  // positive-major groups of 1 + ratio rows
                var order = Array(0..<examplesPerEpoch)
                var rng = RandomGenerator(seed: mixSeed(seed, UInt64(epoch) &* 31 &+ 7))
                for k in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(k, rng.nextInt(below: k + 1)) }
                return (rows, order)
            }
            let stepsStart = (PhaseTimes.wallSeconds(), PhaseTimes.cpuSeconds())
            // Per-step parts (wall and process CPU seconds; four clock reads per step are negligible).
            var stepTimes = (batch: (0.0, 0.0), pass: (0.0, 0.0), clip: (0.0, 0.0), update: (0.0, 0.0))
            var mark = (PhaseTimes.wallSeconds(), PhaseTimes.cpuSeconds())
            func lap(_ slot: inout (Double, Double)) {
                let now = (PhaseTimes.wallSeconds(), PhaseTimes.cpuSeconds())
                slot.0 += now.0 - mark.0
                slot.1 += now.1 - mark.1
                mark = now
            }
            let progress = Progress(
                "epoch \(epoch)/\(t.epochs)", total: stepsPerEpoch, unit: "steps", style: options.progress)
            var sums = (total: 0.0, rec: 0.0, con: 0.0, pair: 0.0)
            var lr = optimizer.learningRate
            for step in 0..<stepsPerEpoch {
                let lo = step * t.batchSize, hi = min(order.count, lo + t.batchSize)
                lr = Self.learningRate(
                    t, epoch: epoch, stepInEpoch: step, stepsPerEpoch: stepsPerEpoch, plateauRate: plateauRate)
                optimizer.learningRate = lr
                let parts: LossParts, stepGradients: Gradients
                if let sequencePlan {
                    let batch = sequencePlan.batch(order[lo..<hi])
                    let candidates = sequencePlan.candidates(epoch: epoch, step: step, batch: batch)
                    lap(&stepTimes.batch)
                    // One replica; its large products (the softmax over the candidates) use `workers` BLAS threads.
                    BLAS.setThreadCount(workers)
                    (parts, stepGradients) = model.sequenceLossAndGradients(
                        batch, content: content, settings: settings, candidates: candidates, workers: workers)
                    BLAS.setThreadCount(1)
                } else if let rows {
                    var users: [Int32] = [], positives: [Int32] = [], negatives: [Int32] = []
                    users.reserveCapacity(hi - lo)
                    for k in lo..<hi {
                        let base = order[k] * (1 + ratio)
                        users.append(rows.users[base])
                        positives.append(rows.items[base])
                        for j in 1...ratio { negatives.append(rows.items[base + j]) }
                    }
                    let examples = TrainingExamples(
                        users: users, positives: positives, negatives: negatives, ratio: ratio)
                    lap(&stepTimes.batch)
                    (parts, stepGradients) = model.lossAndGradients(
                        examples, content: content, settings: settings, workers: workers)
                } else {
                    preconditionFailure("Trainer: no training rows")
                }
                let value = parts.total.scalar
                guard value.isFinite else { throw ModelError.nonFiniteLoss(epoch: epoch, step: step + 1) }
                lap(&stepTimes.pass)
                var gradients = stepGradients
                if t.gradientClip > 0 { clipGradientNorm(&gradients, maxNorm: Float(t.gradientClip)) }
                lap(&stepTimes.clip)
                Autograd.withoutRecording { optimizer.step(gradients) }
                lap(&stepTimes.update)
                sums.total += Double(value)
                sums.rec += Double(parts.recommendation)
                sums.con += Double(parts.contrastive)
                sums.pair += Double(parts.pairwise)
                globalStep += 1
                progress.advance()
            }
            progress.finish()
            let trainSeconds = Self.now() - epochStart
            phases.add(
                "steps", wall: PhaseTimes.wallSeconds() - stepsStart.0, cpu: PhaseTimes.cpuSeconds() - stepsStart.1)
            phases.add("steps/batches", wall: stepTimes.batch.0, cpu: stepTimes.batch.1)
            phases.add("steps/forward+backward", wall: stepTimes.pass.0, cpu: stepTimes.pass.1)
            phases.add("steps/clipping", wall: stepTimes.clip.0, cpu: stepTimes.clip.1)
            phases.add("steps/optimizer", wall: stepTimes.update.0, cpu: stepTimes.update.1)
            var record = EpochRecord(
                epoch: epoch, steps: stepsPerEpoch, trainLoss: sums.total / Double(stepsPerEpoch),
                recommendationLoss: sums.rec / Double(stepsPerEpoch), contrastiveLoss: sums.con / Double(stepsPerEpoch),
                pairwiseLoss: sums.pair / Double(stepsPerEpoch), learningRate: Double(lr), validation: [:], seconds: 0,
                stepsPerSecond: Double(stepsPerEpoch) / max(trainSeconds, 1e-9))
            var metric: Double? = nil
            if let validation, epoch % t.evalEvery == 0 || epoch == t.epochs {
                try phases.measure("validation") {
                    record.validation = try Self.validate(
                        model: model, content: content, itemIds: itemIds, setup: validation, ks: ks,
                        workers: options.threads,
                        histories: validationHistories)
                    if t.earlyStoppingMetric == .validationLoss, sequencePlan == nil, let evalData {
                        record.validation["val_loss"] = Self.validationLoss(
                            model: model, content: content, data: evalData, settings: settings, ratio: ratio, seed: seed
                        )
                    }
                }
                metric = record.validation[metricName]
            }
            record.seconds = Self.now() - epochStart
            history.append(record)
            var improved = false
            if let m = metric {
                if bestMetric.map({ higherIsBetter ? m > $0 : m < $0 }) ?? true {
                    bestMetric = m
                    bestEpoch = epoch
                    improved = true
                }
                if t.useLRScheduler && t.lrSchedulerType == .reduceOnPlateau && epoch > t.warmupEpochs {
                    plateauRate = plateau.step(metric: Float(m), learningRate: plateauRate)
                }
            } else if validation == nil {
                bestEpoch = epoch
                improved = true
            }
            let evaluations = history.filter { $0.epoch > bestEpoch && $0.validation[metricName] != nil }.count
            if t.patience > 0 && validation != nil && evaluations >= t.patience { stoppedEarly = true }
            let finished = stoppedEarly || epoch == t.epochs
            let nextRate = Self.learningRate(
                t, epoch: epoch + 1, stepInEpoch: 0, stepsPerEpoch: stepsPerEpoch, plateauRate: plateauRate)
            let header = CheckpointHeader(
                hyperparameters: hyper, epoch: epoch, globalStep: globalStep, learningRate: Double(nextRate),
                metricName: metricName, bestMetric: bestMetric, bestEpoch: bestEpoch, history: history,
                finished: finished,
                configYAML: config.yamlText(), userKeys: train.userIds.keys, itemKeys: train.itemIds.keys,
                scalers: inputs.scalers, seed: seed, optimizer: t.optimizerType.rawValue, runStarted: runStarted)
            try phases.measure("checkpoint") {
                let checkpoint = Checkpoint(
                    header: header, tensors: model.stateDict(), optimizerState: optimizer.stateDict())
                // One encoding and one write: best.ckpt (when improved) is a hard link to the new last.ckpt, put
                // in place first, as the separate write was.
                try checkpoint.write(to: lastPath, alsoAs: improved ? [bestPath] : [])
            }
            try phases.measure("logs") {
                try TrainingLog.write(history, directory: directory)
                if let tensorboard = options.tensorboard {
                    try TensorBoardWriter.write(history: history, runStarted: runStarted, directory: tensorboard)
                }
            }
            let shown = record.validation.keys.sorted().filter {
                ["ndcg@10", "hit_rate@10", "val_loss", metricName].contains($0)
            }
            .map { "\($0) \(String(format: "%.4f", record.validation[$0]!))" }.joined(separator: "  ")
            options.log(
                "epoch \(epoch): loss \(String(format: "%.4f", record.trainLoss))  \(shown)  lr \(String(format: "%.2e", lr))  "
                    + "\(String(format: "%.1f", record.stepsPerSecond)) steps/s  \(String(format: "%.1f", record.seconds)) s"
                    + (improved && metric != nil ? "  (best)" : ""))
            epochsRun += 1
            if stoppedEarly {
                options.log(
                    "early stop: no \(metricName) improvement in \(t.patience) evaluations (best epoch \(bestEpoch))")
                break
            }
            if let stop = options.stopAfterEpochs, epochsRun >= stop { break }
        }
        if !history.isEmpty {
            try phases.measure("curves") {
                try CurvePlot.training(history).write(to: directory + "/training_curves.png")
            }
        }
        return Summary(
            history: history, bestEpoch: bestEpoch, bestMetric: bestMetric, metricName: metricName,
            stoppedEarly: stoppedEarly,
            bestCheckpoint: bestPath, lastCheckpoint: lastPath, seconds: Self.now() - started, phases: phases)
    }

    /// Full-ranking validation metrics (`ndcg@k`, `hit_rate@k`, `recall@k`, …) of the model's vectors.
    /// - Parameter histories: sequence models: each training user's items (catalog rows), oldest first.
    static func validate(
        model: PretrainedMultimodalRecommender, content: ItemContent, itemIds: [Int32], setup: TaskSetup, ks: [Int],
        workers: Int, histories: [ArraySlice<Int32>]? = nil
    ) throws -> [String: Double] {
        let items = model.allItemVectors(content: content, ids: itemIds, workers: workers)
        let users =
            histories.map {
                model.userVectors(itemVectors: items, histories: $0, users: (0..<Int32($0.count)).map { $0 })
            } ?? model.userTable
        let scorer = try FactorizedScorer(
            userVectors: users, itemVectors: items, dimension: model.hyperparameters.embeddingDim,
            description: "multimodal")
        let outcome = try RankingEvaluator.evaluate(
            scorer: scorer, queries: setup.queries, options: EvaluationOptions(ks: ks, workers: max(1, workers)))
        var out: [String: Double] = [:]
        for (kIndex, k) in ks.enumerated() {
            for metric in PixelEval.RankingMetric.allCases {
                out[metric.label(k: k)] = outcome.summary(metric, kIndex: kIndex).mean
            }
        }
        return out
    }

    /// Mean loss on validation pairs of trained users and items, each with `ratio` negatives drawn
    /// uniformly with a fixed seed (the same every epoch), in evaluation mode.
    static func validationLoss(
        model: PretrainedMultimodalRecommender, content: ItemContent, data: EvaluationData, settings: LossSettings,
        ratio: Int, seed: UInt64
    ) -> Double {
        let wasTraining = model.isTraining
        model.setTraining(false)
        defer { model.setTraining(wasTraining) }
        var rng = RandomGenerator(seed: mixSeed(seed, 0xBA1))
        var users: [Int32] = [], positives: [Int32] = [], negatives: [Int32] = []
        let n = model.hyperparameters.itemCount
        for u in 0..<data.trainUserCount {
            for i in data.test.row(u) where Int(i) < n {
                users.append(Int32(u))
                positives.append(i)
                for _ in 0..<ratio { negatives.append(Int32(rng.nextInt(below: n))) }
            }
        }
        guard !users.isEmpty else { return .nan }
        var total = 0.0
        var batches = 0
        var start = 0
        while start < users.count {
            let end = min(users.count, start + 1024)
            let examples = TrainingExamples(
                users: Array(users[start..<end]), positives: Array(positives[start..<end]),
                negatives: Array(negatives[(start * ratio)..<(end * ratio)]), ratio: ratio)
            let noContrastive = LossSettings(loss: settings.loss, recommendationWeight: 1, contrastiveWeight: 0)
            total += Double(
                Autograd.withoutRecording {
                    model.loss(examples, content: content, settings: noContrastive).recommendation
                })
            batches += 1
            start = end
        }
        return total / Double(batches)
    }
}

extension EarlyStoppingMetric {
    /// The cut-off of a ranking metric.
    var rankingK: Int? {
        if case let .ranking(_, k) = self { return k }
        return nil
    }
}
