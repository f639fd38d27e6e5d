/// `data.image_cache_config`: where preprocessed image tensors are kept between uses.
public struct ImageCacheConfig: Sendable, Equatable {
    /// `strategy`
    public var strategy: CacheStrategy = .hybrid
    /// `max_memory_items`: tensors kept in memory (least recently used evicted first).
    public var maxMemoryItems = 1500
    /// `cache_directory`: on-disk tensors for `disk` and `hybrid`.
    public var cacheDirectory = "data/cache/image_tensors"
    /// `precompute_at_startup`: `pixelrec encode` fills the cache for every item before it starts encoding.
    public var precomputeAtStartup = false
    /// `preprocessing_batch_size`: images decoded per batch when filling the cache.
    public var preprocessingBatchSize = 50

    public init() {}
}

/// `data.offline_image_compression`: how `pixelrec preprocess` shrinks large images.
public struct ImageCompressionConfig: Sendable, Equatable {
    /// `enabled`
    public var enabled = true
    /// `compress_if_kb_larger_than`: re-encode files larger than this many KiB.
    public var compressIfKBLargerThan = 500
    /// `target_quality`: JPEG quality of re-encoded images, 1–100.
    public var targetQuality = 85
    /// `resize_if_pixels_larger_than`: `[width, height]`; larger images are resized.
    public var resizeIfPixelsLargerThan = [2048, 2048]
    /// `resize_target_longest_edge`: the longest edge after resizing, aspect ratio kept.
    public var resizeTargetLongestEdge = 1024

    public init() {}
}

/// `data.text_augmentation`: random edits of item text during training.
public struct TextAugmentationConfig: Sendable, Equatable {
    /// `enabled`: `pixelrec encode` writes `n_views` edited copies of each item's text through the text
    /// encoder (`text_views.pxfs`), and training reads one of them, drawn per item and step, in place of
    /// the clean text; evaluation and recommendation read the clean text.
    public var enabled = false
    /// `augmentation_type`
    public var augmentationType: AugmentationType = .randomDelete
    /// `delete_prob`: probability of deleting each word (`random_delete`).
    public var deleteProb = 0.05
    /// `swap_prob`: probability of swapping each word with a neighbour (`random_swap`).
    public var swapProb = 0.05
    /// `n_views`: edited copies of each text encoded (a pixelrec key: the encoders are frozen, so the
    /// views are encoded once instead of editing the text at every step).
    public var nViews = 4

    public init() {}
}

/// `data.offline_image_validation`: which images `pixelrec preprocess` keeps.
public struct ImageValidationConfig: Sendable, Equatable {
    /// `check_corrupted`: decode every image and drop those that fail.
    public var checkCorrupted = true
    /// `min_width`
    public var minWidth = 64
    /// `min_height`
    public var minHeight = 64
    /// `allowed_extensions`: file extensions with their dot, compared case-insensitively.
    public var allowedExtensions = [".jpg", ".jpeg", ".png"]

    public init() {}
}

/// `data.offline_text_cleaning`: how `pixelrec preprocess` cleans item text.
public struct TextCleaningConfig: Sendable, Equatable {
    /// `remove_html`: strip tags and decode entities.
    public var removeHTML = true
    /// `normalize_unicode`: NFKC normalization.
    public var normalizeUnicode = true
    /// `to_lowercase`
    public var toLowercase = true

    public init() {}
}

/// `data.splitting`: how `pixelrec split` divides interactions into train, validation and test.
public struct SplittingConfig: Sendable, Equatable {
    /// `strategy`
    public var strategy: SplitStrategy = .stratified
    /// `random_state`: seed of every random choice of the split.
    public var randomState = 42
    /// `sample_n`: keep a random sample of this many `sample_unit`s before splitting; 0 keeps all.
    public var sampleN = 0
    /// `sample_unit`: what `sample_n` counts (interactions, as the Python framework's `--sample_n`, or users).
    public var sampleUnit: SampleUnit = .interactions
    /// `temporal_scope`: for `temporal`, cut each user's history (`per_user`) or one global timeline.
    public var temporalScope: TemporalScope = .perUser
    /// `train_final_ratio`; the three ratios sum to 1.
    public var trainFinalRatio = 0.6
    /// `val_final_ratio`
    public var valFinalRatio = 0.2
    /// `test_final_ratio`
    public var testFinalRatio = 0.2
    /// `min_interactions_per_user`: iteratively drop users with fewer interactions (k-core filtering).
    public var minInteractionsPerUser = 5
    /// `min_interactions_per_item`: iteratively drop items with fewer interactions.
    public var minInteractionsPerItem = 5
    /// `holdout_min_interactions`: for `user` / `item` hold-out, only users (items) with at least this many
    /// interactions (after k-core filtering) may be held out; the others stay in train. 0 = all eligible.
    public var holdoutMinInteractions = 0
    /// `validate_no_leakage`: check the written split (no duplicate pair across splits, temporal order).
    public var validateNoLeakage = true

    public init() {}
}
