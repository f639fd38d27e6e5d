/// `data.image_cache_config.strategy`: where `SharedImageCache` keeps preprocessed image tensors.
public enum CacheStrategy: String, Sendable, CaseIterable, ConfigEnum {
    /// A memory LRU in front of the disk cache.
    case hybrid
    /// A memory LRU only (`max_memory_items`).
    case memory
    /// Disk only.
    case disk
    /// No cache: every request runs the preprocessing.
    case disabled
}

/// `data.splitting.strategy`
public enum SplitStrategy: String, Sendable, CaseIterable, ConfigEnum {
    /// Each user's interactions divided randomly by the ratios.
    case stratified
    /// Ordered by timestamp, oldest to train (see `temporal_scope`).
    case temporal
    /// Each user's last interaction to test, the one before to validation.
    case leaveOneOut = "leave_one_out"
    /// Users divided by the ratios (cold-user evaluation).
    case user
    /// Items divided by the ratios (cold-item evaluation).
    case item
}

/// `data.splitting.temporal_scope`
public enum TemporalScope: String, Sendable, CaseIterable, ConfigEnum {
    case perUser = "per_user"
    case global
}

/// `data.splitting.sample_unit`: what `sample_n` counts.
public enum SampleUnit: String, Sendable, CaseIterable, ConfigEnum {
    /// `sample_n` interactions chosen uniformly without replacement (the Python framework's `--sample_n`).
    case interactions
    /// All interactions of `sample_n` users chosen uniformly without replacement.
    case users
}

/// `data.negative_sampling_strategy`: how negatives are drawn for a positive (user, item), over the
/// items the user has not interacted with.
public enum NegativeSamplingStrategy: String, Sendable, CaseIterable, ConfigEnum {
    /// Uniform.
    case uniform
    /// Proportional to training popularity, `count(item)^α` (`DatasetOptions.popularityExponent`):
    /// harder negatives.
    case popularity
}

/// `data.numerical_normalization_method`
public enum NormalizationMethod: String, Sendable, CaseIterable, ConfigEnum {
    /// `(x − mean) / std`
    case standardization
    /// `(x − min) / (max − min)`
    case minMax = "min_max"
    /// Standardization of `log(1 + x)` (view and like counts are heavy-tailed).
    case log1pStandardization = "log1p_standardization"
    case none
}

/// `data.text_augmentation.augmentation_type`
public enum AugmentationType: String, Sendable, CaseIterable, ConfigEnum {
    case randomDelete = "random_delete"
    case randomSwap = "random_swap"
    case shuffle
}
