import PixelConfig
import Synchronization

/// What a registered scorer factory is given to build a scorer for one evaluation.
public struct ScorerRequest: Sendable {
    /// The recommender name asked for (`multimodal`, …).
    public let name: String
    /// Index spaces of the evaluation: row `u` of `profiles` is user `userIds.key(u)`, column `i` is item
    /// `itemIds.key(i)`. The scorer's `itemCount` must be `itemIds.count`.
    public let data: EvaluationData
    /// `users × items`: what each user is known to have interacted with (for cold users, their first
    /// interactions) — a model with a user tower builds user vectors from these rows.
    public let profiles: SparseMatrix
    /// The task being evaluated.
    public let task: EvaluationTask
    /// The model checkpoint (`--checkpoint`, or `nil` for the configuration's best checkpoint).
    public let checkpoint: String?
    /// The evaluation's configuration (defaults, the `--config` file, the `--set` overrides), loaded.
    public let config: PixelRecConfig
    /// `cold_user`: the held-out interactions that represent each cold user (`--cold-history`).
    public let coldHistory: Int

    public init(
        name: String, data: EvaluationData, profiles: SparseMatrix, task: EvaluationTask, checkpoint: String?,
        config: PixelRecConfig, coldHistory: Int = 5
    ) {
        self.coldHistory = coldHistory
        self.name = name
        self.data = data
        self.profiles = profiles
        self.task = task
        self.checkpoint = checkpoint
        self.config = config
    }
}

/// Recommenders other than the built-in baselines, found by name (the mlx-swift registry shape): an
/// extension point for packages that build on pixelrec. The trained multimodal model is not registered here:
/// `pixelrec eval` scores it through a `ModelSession` (PixelSession), which PixelEval cannot import.
///
/// ```swift
/// ScorerRegistry.register("my_model") { request in
///     let model = try MyModel.load(request.checkpoint ?? request.config.checkpointDir + "/best.ckpt")
///     return try FactorizedScorer(userVectors: model.userVectors(request.profiles), itemVectors: …, dimension: d)
/// }
/// ```
public enum ScorerRegistry {
    public typealias Factory = @Sendable (ScorerRequest) throws -> any Scorer

    private static let factories = Mutex<[String: Factory]>([:])

    /// Registers (or replaces) the factory for `name`.
    public static func register(_ name: String, factory: @escaping Factory) {
        factories.withLock { $0[name] = factory }
    }

    /// The factory registered for `name`, if any.
    public static func factory(for name: String) -> Factory? {
        factories.withLock { $0[name] }
    }

    /// Names with a registered factory, sorted.
    public static var names: [String] { factories.withLock { $0.keys.sorted() } }
}
