/// The `training:` section: optimization, schedule, early stopping and reproducibility.
public struct TrainingConfig: Sendable, Equatable {
    /// `batch_size`: training examples per step.
    public var batchSize = 128
    /// `epochs`: passes over the training interactions.
    public var epochs = 200
    /// `learning_rate`: the optimizer's step size `η > 0`.
    public var learningRate = 0.001
    /// `encoder_lr`: the learning rate of the trainable encoder top (`model.trainable_encoder_layers`), a
    /// parameter group of its own; `nil` = `learning_rate × 0.1` (pretrained weights move less than fresh ones).
    public var encoderLR: Double? = nil
    /// `weight_decay`: L2 (`adam`, `sgd`) or decoupled (`adamw`) weight decay `λ ≥ 0`.
    public var weightDecay = 0.0
    /// `patience`: evaluations without improvement of `early_stopping_metric` before stopping; 0 never stops early.
    public var patience = 20
    /// `gradient_clip`: maximum global L2 norm of the gradient; 0 disables clipping.
    public var gradientClip = 1.0
    /// `contrastive_weight`: weight of the contrastive loss in the total loss.
    public var contrastiveWeight = 0.1
    /// `content_alignment_weight` λ: weight of the content-alignment term, an in-batch InfoNCE between
    /// each positive training item's content-only vector (ID token zeroed) and its vector with the ID
    /// (CLCRec-style), so content alone lands where the item's collaborative vector is: cold items.
    /// 0 = off.
    public var contentAlignmentWeight = 0.0
    /// `bce_weight`: weight of the recommendation loss (whatever `loss` is) in the total loss.
    public var bceWeight = 1.0
    /// `loss`: the recommendation loss.
    public var loss: LossFunction = .sampledSoftmax
    /// `use_lr_scheduler`: adjust the learning rate with `lr_scheduler_type`.
    public var useLRScheduler = false
    /// `lr_scheduler_type`
    public var lrSchedulerType: LRScheduler = .reduceOnPlateau
    /// `lr_scheduler_patience`: evaluations without improvement before `reduce_on_plateau` cuts the rate.
    public var lrSchedulerPatience = 2
    /// `lr_scheduler_factor`: `reduce_on_plateau` multiplies the rate by this factor, `0 < f < 1`.
    public var lrSchedulerFactor = 0.5
    /// `lr_scheduler_min_lr`: no scheduler goes below this rate.
    public var lrSchedulerMinLR = 0.000001
    /// `lr_scheduler_step_size`: `step` multiplies the rate by `lr_scheduler_gamma` every this many epochs.
    public var lrSchedulerStepSize = 10
    /// `lr_scheduler_gamma`: the `step` scheduler's factor, `0 < γ ≤ 1`.
    public var lrSchedulerGamma = 0.1
    /// `warmup_epochs`: epochs of linear warm-up from 0 to `learning_rate` before the scheduler starts.
    public var warmupEpochs = 0
    /// `optimizer_type`
    public var optimizerType: OptimizerType = .adamw
    /// `adam_beta1`: Adam's first-moment decay `β₁`.
    public var adamBeta1 = 0.9
    /// `adam_beta2`: Adam's second-moment decay `β₂`.
    public var adamBeta2 = 0.999
    /// `adam_eps`: Adam's `ε` in `m̂ / (√v̂ + ε)`.
    public var adamEps = 0.00000001
    /// `momentum`: SGD momentum `μ`.
    public var momentum = 0.9
    /// `nesterov`: Nesterov momentum for SGD.
    public var nesterov = false
    /// `seed`: seeds every random choice of training (initialization, shuffling, negatives, dropout).
    public var seed = 42
    /// `threads`: data-parallel workers of a training step (and evaluation threads); 0 = one per core.
    /// Results are deterministic for a given count; 1 is the single-replica step.
    public var threads = 0
    /// `eval_every`: evaluate on the validation split every this many epochs.
    public var evalEvery = 1
    /// `validation_task`: what validation measures (`auto` follows the split: cold users for a user split,
    /// cold items for an item split, else retrieval).
    public var validationTask: ValidationTask = .auto
    /// `early_stopping_metric`: the validation measure that selects the best epoch.
    public var earlyStoppingMetric: EarlyStoppingMetric = .ranking(.ndcg, k: 10)
    /// `max_steps_per_epoch`: stop an epoch after this many steps; 0 = all batches.
    public var maxStepsPerEpoch = 0
    /// `sequence_windows`: the parts of each user's training sequence a sequence model learns from.
    public var sequenceWindows: SequenceWindows = .all
    /// `full_softmax_max_items`: a sequence model with `loss: sampled_softmax` scores every position
    /// against the whole catalog (exact softmax) while it has at most this many items, and against a
    /// sampled candidate set with log-Q correction beyond; 0 = always sample.
    public var fullSoftmaxMaxItems = 20000
    /// `sampled_negatives`: uniformly drawn catalog items added to a step's candidate set when the
    /// softmax is sampled (the batch's own items are the other candidates).
    public var sampledNegatives = 1024

    public init() {}

    /// `encoder_lr`, or `learning_rate × 0.1` when it is not set.
    public var resolvedEncoderLR: Double { encoderLR ?? learningRate * 0.1 }
}

/// `training.loss`
public enum LossFunction: String, Sendable, CaseIterable, ConfigEnum {
    /// Binary cross-entropy on positives and sampled negatives.
    case bce
    /// Bayesian personalized ranking: `−log σ(s⁺ − s⁻)`.
    case bpr
    /// Softmax cross-entropy over the positive and sampled negatives.
    case sampledSoftmax = "sampled_softmax"
}

/// `training.lr_scheduler_type`
public enum LRScheduler: String, Sendable, CaseIterable, ConfigEnum {
    /// Multiply by `lr_scheduler_factor` after `lr_scheduler_patience` evaluations without improvement.
    case reduceOnPlateau = "reduce_on_plateau"
    /// Cosine annealing from `learning_rate` to `lr_scheduler_min_lr` over the epochs.
    case cosine
    /// Multiply by `lr_scheduler_gamma` every `lr_scheduler_step_size` epochs.
    case step
}

/// `training.optimizer_type`
public enum OptimizerType: String, Sendable, CaseIterable, ConfigEnum {
    /// Adam with decoupled weight decay (Loshchilov & Hutter).
    case adamw
    /// Adam with L2 weight decay added to the gradient.
    case adam
    /// Stochastic gradient descent with optional (Nesterov) momentum.
    case sgd
}
