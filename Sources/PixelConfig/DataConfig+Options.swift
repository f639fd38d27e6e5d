/// `data.image_cache_config.strategy`
public enum CacheStrategy: String, Sendable, CaseIterable, ConfigEnum {
    /// Memory first, spilling to disk.
    case hybrid
    case memory, disk
    /// No cache: decode on every use.
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

/// `data.negative_sampling_strategy`
public enum NegativeSamplingStrategy: String, Sendable, CaseIterable, ConfigEnum {
    case uniform
    /// Proportional to training popularity.
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
