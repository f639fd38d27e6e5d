import PixelConfig
import PixelNN
import PixelOptim
import PixelTensor

extension Trainer {
    /// The optimizer of `training.optimizer_type` over `parameters`, updating with `workers` threads.
    static func makeOptimizer(_ t: TrainingConfig, parameters: [(String, Parameter)], workers: Int = 1)
        -> any Optimizer
    {
        let lr = Float(t.learningRate)
        let optimizer: any Optimizer
        switch t.optimizerType {
        case .adamw:
            optimizer = AdamW(
                namedParameters: parameters, learningRate: lr, beta1: Float(t.adamBeta1), beta2: Float(t.adamBeta2),
                epsilon: Float(t.adamEps), weightDecay: Float(t.weightDecay))
        case .adam:
            optimizer = Adam(
                namedParameters: parameters, learningRate: lr, beta1: Float(t.adamBeta1), beta2: Float(t.adamBeta2),
                epsilon: Float(t.adamEps), weightDecay: Float(t.weightDecay))
        case .sgd:
            optimizer = SGD(
                namedParameters: parameters, learningRate: lr, momentum: Float(t.momentum),
                nesterov: t.nesterov && t.momentum > 0, weightDecay: Float(t.weightDecay))
        }
        optimizer.workers = max(1, workers)
        return optimizer
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
        guard t.warmupEpochs >= 0 else {
            throw ModelError.invalidSetting(key: "training.warmup_epochs", reason: "must be ≥ 0")
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

    /// The learning-rate schedule of `training` for epochs of `stepsPerEpoch` steps: warm-up over
    /// `warmup_epochs`, then `lr_scheduler_type` (or a constant rate without `use_lr_scheduler`).
    static func schedule(_ t: TrainingConfig, stepsPerEpoch: Int) -> LearningRateSchedule {
        let base = Float(t.learningRate)
        let warmupSteps = t.warmupEpochs * stepsPerEpoch
        let decay: LearningRateSchedule.Decay
        if !t.useLRScheduler {
            decay = .constant
        } else {
            switch t.lrSchedulerType {
            case .cosine:
                decay = .cosine(
                    CosineSchedule(
                        base: base, warmupSteps: warmupSteps,
                        totalSteps: max(t.epochs * stepsPerEpoch, warmupSteps + 1), minimum: Float(t.lrSchedulerMinLR)))
            case .step:
                decay = .step(
                    StepSchedule(base: base, stepSize: t.lrSchedulerStepSize, gamma: Float(t.lrSchedulerGamma)),
                    minimum: Float(t.lrSchedulerMinLR), warmupEpochs: t.warmupEpochs)
            case .reduceOnPlateau:
                decay = .plateau
            }
        }
        return LearningRateSchedule(
            base: base, stepsPerEpoch: stepsPerEpoch, warmup: LinearWarmup(steps: warmupSteps), decay: decay)
    }

    /// Learning rate of `epoch` (1-based) at `stepInEpoch`; `plateauRate` is the plateau scheduler's rate.
    static func learningRate(
        _ t: TrainingConfig, epoch: Int, stepInEpoch: Int, stepsPerEpoch: Int, plateauRate: Float
    ) -> Float {
        schedule(t, stepsPerEpoch: stepsPerEpoch).rate(epoch: epoch, stepInEpoch: stepInEpoch, plateauRate: plateauRate)
    }
}
