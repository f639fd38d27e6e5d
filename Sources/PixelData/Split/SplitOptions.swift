import PixelConfig

/// How interactions are divided into train, validation and test — the configuration's
/// `data.splitting.strategy`, one type for both layers:
/// - `stratified`: per user, a seeded random `ratios` share of their interactions in each part; every user
///   with ≥ 3 interactions appears in all three parts, each part's size within ±1 of `ratio · n` (when every
///   part's share `ratio · n` is at least 1; below that, "in every part" wins). Users with fewer than 3
///   interactions go to train only. The same per-user counts drive `temporal` with `perUser` scope.
/// - `temporal`: time-ordered: per user (`TemporalScope.perUser`) the oldest share to train, then
///   validation, the newest to test; or by one global time cut (`TemporalScope.global`).
/// - `leaveOneOut`: per user, the last interaction (by timestamp, then file order) to test, the
///   second-last to validation, the rest to train (PixelRec's protocol). Users with 2 interactions give no
///   validation row; users with 1 only train.
/// - `user` / `item`: whole users (cold-start users) or whole items (cold-start items) held out, `ratios`
///   of them to each part with all their rows. With `holdoutMinInteractions` > 0 only users (items) with
///   at least that many interactions are eligible: the ratios apply to the eligible ones, the rest stay in
///   train (the cold-item protocol: 10% of the items with ≥ 5 interactions to test).
public typealias SplitStrategy = PixelConfig.SplitStrategy

/// Whether a temporal split orders each user's timeline or the whole data set's
/// (`data.splitting.temporal_scope`).
public typealias TemporalScope = PixelConfig.TemporalScope

/// What `SplitOptions.sampleN` counts (`data.splitting.sample_unit`).
public typealias SampleMode = PixelConfig.SampleUnit

/// Options of `Splitter` (the CLI maps `split` config keys and flags onto these).
public struct SplitOptions: Sendable, Equatable {
    /// The strategy. Default `.leaveOneOut`.
    public var strategy: SplitStrategy = .leaveOneOut
    /// Train, validation and test shares (non-negative, summing to 1 within 1e-6). Default 0.8/0.1/0.1.
    /// Not used by leave-one-out.
    public var trainRatio = 0.8
    public var valRatio = 0.1
    public var testRatio = 0.1
    /// For `.temporal`. Default `.perUser`.
    public var temporalScope: TemporalScope = .perUser
    /// k-core thresholds, applied until stable (0 or 1 disables). Defaults 0.
    public var minInteractionsPerUser = 0
    public var minInteractionsPerItem = 0
    /// `.user` / `.item`: hold out only users (items) with at least this many interactions after
    /// filtering; the others always go to train. Default 0 (every user or item is eligible).
    public var holdoutMinInteractions = 0
    /// Sample this many users (or interactions) before filtering and splitting. Default `nil` (all).
    public var sampleN: Int? = nil
    public var sampleMode: SampleMode = .interactions
    /// Check the written split for leakage (`data.splitting.validate_no_leakage`). Default `true`.
    public var validateNoLeakage = true
    /// Seed of every random choice (sampling, stratified shuffles, user/item hold-out). Default 42.
    public var seed: UInt64 = 42

    public init(
        strategy: SplitStrategy = .leaveOneOut, trainRatio: Double = 0.8, valRatio: Double = 0.1,
        testRatio: Double = 0.1,
        temporalScope: TemporalScope = .perUser, minInteractionsPerUser: Int = 0, minInteractionsPerItem: Int = 0,
        holdoutMinInteractions: Int = 0, sampleN: Int? = nil, sampleMode: SampleMode = .interactions, seed: UInt64 = 42
    ) {
        self.strategy = strategy
        self.trainRatio = trainRatio
        self.valRatio = valRatio
        self.testRatio = testRatio
        self.temporalScope = temporalScope
        self.minInteractionsPerUser = minInteractionsPerUser
        self.minInteractionsPerItem = minInteractionsPerItem
        self.holdoutMinInteractions = holdoutMinInteractions
        self.sampleN = sampleN
        self.sampleMode = sampleMode
        self.seed = seed
    }

    /// Checks ranges and that the ratios sum to 1.
    /// - Throws: `DataError.invalidOption` naming the option.
    public func validate() throws {
        for (name, value) in [("train_ratio", trainRatio), ("val_ratio", valRatio), ("test_ratio", testRatio)] {
            guard value.isFinite, value >= 0, value <= 1 else {
                throw DataError.invalidOption(name: name, reason: "\(value) is outside [0, 1]")
            }
        }
        if strategy != .leaveOneOut {
            let sum = trainRatio + valRatio + testRatio
            guard abs(sum - 1) < 1e-6 else {
                throw DataError.invalidOption(name: "ratios", reason: "train+val+test = \(sum), must be 1")
            }
        }
        guard minInteractionsPerUser >= 0 else {
            throw DataError.invalidOption(name: "min_interactions_per_user", reason: "must be ≥ 0")
        }
        guard minInteractionsPerItem >= 0 else {
            throw DataError.invalidOption(name: "min_interactions_per_item", reason: "must be ≥ 0")
        }
        guard holdoutMinInteractions >= 0 else {
            throw DataError.invalidOption(name: "holdout_min_interactions", reason: "must be ≥ 0")
        }
        if let sampleN {
            guard sampleN > 0 else { throw DataError.invalidOption(name: "sample_n", reason: "must be > 0") }
        }
    }
}

/// Which part a row went to.
public enum SplitPart: UInt8, Sendable, CaseIterable {
    case train = 0, val = 1, test = 2
    /// Removed by sampling or k-core filtering.
    case dropped = 255

    /// `train`, `val`, `test`.
    public var fileStem: String {
        switch self {
        case .train: return "train"
        case .val: return "val"
        case .test: return "test"
        case .dropped: return "dropped"
        }
    }
}
