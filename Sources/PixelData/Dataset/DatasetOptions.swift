import PixelConfig

/// Options of `TrainingDataset`.
public struct DatasetOptions: Sendable, Equatable {
    /// Negatives drawn per positive (0 = positives only). Default 4.
    public var negativeRatio = 4
    /// How negatives are drawn for a positive (user, item), over the items the user has not interacted
    /// with: `.uniform`, or `.popularity` ∝ `count(item)^popularityExponent` (harder negatives).
    /// Default `.uniform`.
    public var sampling: NegativeSamplingStrategy = .uniform
    /// Exponent α of popularity sampling (`weight = count^α`). Default 0.75.
    public var popularityExponent = 0.75
    /// Rows per mini-batch. Default 1024.
    public var batchSize = 1024
    /// Shuffle rows each epoch. Default true.
    public var shuffle = true
    /// Drop a final batch smaller than `batchSize`. Default false.
    public var dropLast = false
    /// Seed; epoch `e` uses stream `e`, so epochs differ and runs repeat. Default 42.
    public var seed: UInt64 = 42

    public init(
        negativeRatio: Int = 4, sampling: NegativeSamplingStrategy = .uniform, batchSize: Int = 1024,
        shuffle: Bool = true,
        seed: UInt64 = 42
    ) {
        self.negativeRatio = negativeRatio
        self.sampling = sampling
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.seed = seed
    }

    /// - Throws: `DataError.invalidOption` naming the option.
    public func validate() throws {
        guard negativeRatio >= 0 else {
            throw DataError.invalidOption(name: "negative_sampling_ratio", reason: "must be ≥ 0")
        }
        guard batchSize >= 1 else { throw DataError.invalidOption(name: "batch_size", reason: "must be ≥ 1") }
        guard popularityExponent.isFinite, popularityExponent >= 0 else {
            throw DataError.invalidOption(name: "popularity_exponent", reason: "must be ≥ 0")
        }
    }
}

/// One mini-batch: parallel arrays of length `count`.
public struct Batch: Sendable, Equatable {
    /// Dense user indices.
    public var users: [Int32]
    /// Dense item indices.
    public var items: [Int32]
    /// 1 for a positive, 0 for a sampled negative.
    public var labels: [Float]

    public var count: Int { users.count }
}
