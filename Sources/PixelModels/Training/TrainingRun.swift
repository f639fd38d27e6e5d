import PixelCluster
import PixelConfig
import PixelData
import PixelEval
import PixelOptim
import PixelTensor

/// One run's working set: the model, its optimizer, where examples come from, the validation task and
/// the learning-rate schedule — built once by ``Trainer/run()``, driven one epoch at a time.
struct TrainingRun {
    let inputs: Trainer.Inputs
    let model: PretrainedMultimodalRecommender
    let optimizer: any Optimizer
    let plan: TrainingPlan
    let schedule: LearningRateSchedule
    let stepsPerEpoch: Int
    let settings: LossSettings
    let workers: Int
    /// Where each step's shards run: this process's `workers` threads, or every MPI rank's.
    let placement: ShardPlacement
    /// Full-ranking validation of the training users on the validation interactions.
    let validation: (data: EvaluationData, setup: TaskSetup)?
    /// Model item index of each catalog row (`-1` for items first seen in validation).
    let itemIds: [Int32]
    /// Validation users' model rows (`-1` = not trained) and histories, when user vectors are computed
    /// from histories (sequence models, cold users); `nil` = the trained user table.
    let validationUsers: (ids: [Int32], histories: [ArraySlice<Int32>])?
    /// `training.seed`: every random choice of training (orders, negatives; the model's initialization
    /// takes the hyper-parameters' seed, the same value when built from one configuration).
    let seed: UInt64
    /// Why validation measures what it does (`auto` resolved), for the log.
    let validationNote: String?
    /// The ranking cut-offs reported at validation (5, 10, 20 and the early-stopping metric's).
    let ks: [Int]

    init(inputs: Trainer.Inputs, threads: Int, cluster: Cluster = .single, phases: inout PhaseTimes) throws {
        let t = inputs.training, hyper = inputs.hyperparameters, train = inputs.train
        let seed = UInt64(truncatingIfNeeded: t.seed)
        guard train.count > 0 else { throw ModelError.noData("\(train.path) has no interactions") }
        guard hyper.userCount == train.userIds.count, hyper.itemCount == train.itemIds.count else {
            throw ModelError.shapeMismatch(
                what: "model items for the training items", expected: train.itemIds.count, found: hyper.itemCount)
        }
        let catalog = try Trainer.catalog(train: train, validation: inputs.validation)
        guard inputs.content.count == catalog.count else {
            throw ModelError.shapeMismatch(
                what: "content rows for the item catalog", expected: catalog.count, found: inputs.content.count)
        }
        self.inputs = inputs
        self.seed = seed
        // Data parallelism: `threads` shards per step, each on one core with single-threaded BLAS
        // (measured faster than multi-threaded BLAS on these small matrices).
        workers = max(1, threads)
        placement = ShardPlacement(cluster: cluster, workers: workers)
        BLAS.setThreadCount(1)
        let evalData = try inputs.validation.map { try EvaluationData(train: train, validation: nil, test: $0) }
        let task = evalData.map { Self.validationTask(t.validationTask, data: $0) }
        validation = try evalData.map { ($0, try TaskSetup(task: task!.task, data: $0)) }
        self.validationNote = task?.note
        model = phases.measure("model") { PretrainedMultimodalRecommender.make(hyper) }
        try model.checkTextInput(inputs.content)
        optimizer = Trainer.makeOptimizer(t, parameters: model.namedParameters(), workers: workers)
        if let top = model.textTop {
            guard let weights = inputs.textTopWeights else {
                throw ModelError.invalidSetting(
                    key: "model.trainable_encoder_layers", reason: "the text top has no imported weights to start from")
            }
            try top.load(stateDict: weights)
            // Its own parameter group: training.encoder_lr, scheduled with the other parameters.
            optimizer.setLearningRateScale(Float(t.resolvedEncoderLR / t.learningRate), for: top.parameters)
        }
        let plan = try phases.measure("dataset") {
            try TrainingPlan(train: train, hyperparameters: hyper, training: t, sampling: inputs.sampling, seed: seed)
        }
        self.plan = plan
        guard plan.count > 0 else {
            throw ModelError.noData("\(train.path) has no training sequence of two or more interactions")
        }
        let fullSteps = (plan.count + t.batchSize - 1) / t.batchSize
        stepsPerEpoch = t.maxStepsPerEpoch > 0 ? min(t.maxStepsPerEpoch, fullSteps) : fullSteps
        schedule = Trainer.schedule(t, stepsPerEpoch: stepsPerEpoch)
        settings = LossSettings(
            loss: t.loss, recommendationWeight: Float(t.bceWeight),
            contrastiveWeight: hyper.useContrastive ? Float(t.contrastiveWeight) : 0,
            alignmentWeight: Float(t.contentAlignmentWeight))
        itemIds = (0..<Int32(catalog.count)).map { $0 < Int32(hyper.itemCount) ? $0 : -1 }
        validationUsers = validation.flatMap { data, setup in
            Self.validationUsers(setup: setup, data: data, plan: plan, trainUsers: hyper.userCount)
        }
        ks = Array(Set([5, 10, 20] + (t.earlyStoppingMetric.rankingK.map { [$0] } ?? []))).sorted()
    }

    /// Loads the model and optimizer state of the checkpoint at `path` after checking it belongs to this
    /// run (same id maps and model settings).
    /// - Returns: its header.
    func resume(from path: String) throws -> CheckpointHeader {
        let checkpoint = try Checkpoint.read(from: path)
        let h = checkpoint.header, train = inputs.train
        guard h.userKeys == train.userIds.keys, h.itemKeys == train.itemIds.keys else {
            throw ModelError.invalidCheckpoint(
                path: path, reason: "its id maps differ from \(train.path) (another split?)")
        }
        guard h.hyperparameters == inputs.hyperparameters else {
            throw ModelError.invalidCheckpoint(path: path, reason: "its model settings differ from the configuration's")
        }
        do {
            try model.load(stateDict: checkpoint.tensors)
            try optimizer.load(stateDict: checkpoint.optimizerState)
        } catch {
            throw ModelError.invalidCheckpoint(path: path, reason: "\(error)")
        }
        return h
    }

    /// Trains epoch `epoch` (1-based): its seeded order, then every step — learning rate, loss and
    /// gradients, clipping, update.
    /// - Returns: the epoch's record without validation metrics and wall time.
    func runEpoch(_ epoch: Int, state: inout TrainingState, observer: inout TrainingObserver) throws -> EpochRecord {
        let t = inputs.training, started = PhaseTimes.wallSeconds()
        model.startEpoch(epoch)
        model.setTraining(true)
        let drawn = observer.phases.measure("sampling") { plan.epoch(epoch) }
        var clock = TrainingObserver.StepClock()
        let progress = observer.progress(epoch: epoch, of: t.epochs, steps: stepsPerEpoch)
        var sums = (total: 0.0, rec: 0.0, con: 0.0, pair: 0.0)
        var lr = optimizer.learningRate
        for step in 0..<stepsPerEpoch {
            let lo = step * t.batchSize, hi = min(drawn.order.count, lo + t.batchSize)
            lr = schedule.rate(epoch: epoch, stepInEpoch: step, plateauRate: state.plateauRate)
            optimizer.learningRate = lr
            let batch = plan.batch(drawn, step: step, range: lo..<hi)
            clock.lap(.batch)
            var (parts, gradients) = try model.lossAndGradients(
                batch, content: inputs.content, settings: settings, placement: placement)
            let value = parts.total.scalar
            guard value.isFinite else { throw ModelError.nonFiniteLoss(epoch: epoch, step: step + 1) }
            clock.lap(.pass)
            if t.gradientClip > 0 { clipGradientNorm(&gradients, maxNorm: Float(t.gradientClip)) }
            clock.lap(.clip)
            Autograd.withoutRecording { optimizer.step(gradients) }
            clock.lap(.update)
            sums.total += Double(value)
            sums.rec += Double(parts.recommendation)
            sums.con += Double(parts.contrastive)
            sums.pair += Double(parts.pairwise)
            state.globalStep += 1
            progress.advance()
        }
        progress.finish()
        observer.stepsFinished(clock)
        let n = Double(stepsPerEpoch)
        return EpochRecord(
            epoch: epoch, steps: stepsPerEpoch, trainLoss: sums.total / n, recommendationLoss: sums.rec / n,
            contrastiveLoss: sums.con / n, pairwiseLoss: sums.pair / n, learningRate: Double(lr), validation: [:],
            seconds: 0, stepsPerSecond: n / max(PhaseTimes.wallSeconds() - started, 1e-9))
    }

    /// Full-ranking validation metrics, and `val_loss` when it is the early-stopping metric (the training
    /// loss on validation pairs for an ID user encoder; the exact next-item cross-entropy for a sequence one).
    func validate() throws -> [String: Double] {
        guard let validation else { return [:] }
        var metrics = try Trainer.validate(
            model: model, content: inputs.content, itemIds: itemIds, setup: validation.setup, ks: ks, workers: workers,
            users: validationUsers)
        if inputs.training.earlyStoppingMetric == .validationLoss {
            if let validationUsers {
                metrics["val_loss"] = Trainer.sequenceValidationLoss(
                    model: model, content: inputs.content, itemIds: itemIds, data: validation.data,
                    users: validationUsers, workers: workers)
            } else {
                metrics["val_loss"] = Trainer.validationLoss(
                    model: model, content: inputs.content, data: validation.data, settings: settings,
                    ratio: inputs.sampling.ratio, seed: seed)
            }
        }
        return metrics
    }

    /// Writes the model, optimizer and `state` to `path` (and hard links `alsoAs`), atomically.
    func checkpoint(
        _ state: TrainingState, stopping: EarlyStopping, finished: Bool, to path: String, alsoAs: [String]
    ) throws {
        let nextRate = schedule.rate(epoch: state.epoch + 1, stepInEpoch: 0, plateauRate: state.plateauRate)
        let header = CheckpointHeader(
            hyperparameters: inputs.hyperparameters, epoch: state.epoch, globalStep: state.globalStep,
            learningRate: Double(nextRate), metricName: stopping.metricName, bestMetric: state.bestMetric,
            bestEpoch: state.bestEpoch, history: state.history, finished: finished, configYAML: inputs.configYAML,
            userKeys: inputs.train.userIds.keys, itemKeys: inputs.train.itemIds.keys, scalers: inputs.scalers,
            seed: seed, optimizer: inputs.training.optimizerType,
            runStarted: state.runStarted)
        // One encoding and one write: best.ckpt (when improved) is a hard link to the new last.ckpt, put in
        // place first, as a separate write was.
        try Checkpoint(header: header, tensors: model.stateDict(), optimizerState: optimizer.stateDict())
            .write(to: path, alsoAs: alsoAs)
    }

    /// The task `setting` stands for on `data` (validation as test), with a note when `auto` chose it.
    static func validationTask(_ setting: ValidationTask, data: EvaluationData) -> (task: EvaluationTask, note: String?)
    {
        switch setting {
        case .retrieval: return (.retrieval, nil)
        case .coldUser: return (.coldUser, nil)
        case .coldItem: return (.coldItem, nil)
        case .auto:
            let warmUsers = (0..<data.trainUserCount).contains { !data.test.row($0).isEmpty }
            if !warmUsers {
                return (.coldUser, "validation: cold_user (no validation user has training interactions: a user split)")
            }
            let warmItems = (0..<data.userCount).contains { u in
                data.test.row(u).contains { Int($0) < data.trainItemCount }
            }
            if !warmItems {
                return (
                    .coldItem, "validation: cold_item (no validation item has training interactions: an item split)"
                )
            }
            return (.retrieval, nil)
        }
    }

    /// Model rows and histories of the validation users when vectors come from histories: sequence
    /// models (training histories; a cold user's first held-out interactions) and cold users of ID
    /// models (their profile); `nil` for an ID model's trained users (its user table).
    static func validationUsers(setup: TaskSetup, data: EvaluationData, plan: TrainingPlan, trainUsers: Int)
        -> (ids: [Int32], histories: [ArraySlice<Int32>])?
    {
        let sequential = plan.isSequential
        if setup.task != .coldUser {
            guard let histories = plan.histories(users: trainUsers) else { return nil }
            return ((0..<Int32(trainUsers)).map { $0 }, histories)
        }
        let ids = (0..<data.userCount).map { $0 < trainUsers ? Int32($0) : -1 }
        let histories =
            sequential
            ? data.histories(task: .coldUser, coldHistory: setup.coldHistory, users: 0..<data.userCount)
            : (0..<data.userCount).map { setup.profiles.row($0) }
        return (ids, histories)
    }
}
