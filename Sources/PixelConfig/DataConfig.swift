/// The `data:` section: where the data lives, how it is preprocessed, sampled and split.
public struct DataConfig: Sendable, Equatable {
    /// `item_info_path`: raw item table (PixelRec layout: `item_id`, text columns, numeric columns).
    public var itemInfoPath = "data/raw/item_info/item_info_sample.csv"
    /// `interactions_path`: raw interaction table (`user_id`, `item_id`, `timestamp`).
    public var interactionsPath = "data/raw/interactions/interactions_sample.csv"
    /// `image_folder`: raw cover images, one file per item named by item ID.
    public var imageFolder = "data/raw/images"
    /// `processed_item_info_path`: item table written by `pixelrec preprocess`.
    public var processedItemInfoPath = "data/processed/item_info.csv"
    /// `processed_interactions_path`: interaction table written by `pixelrec preprocess`.
    public var processedInteractionsPath = "data/processed/interactions.csv"
    /// `processed_image_destination_folder`: validated, compressed images written by `pixelrec preprocess`;
    /// `nil` = `images/` inside the processed directory.
    public var processedImageDestinationFolder: String? = nil
    /// `processed_dir`: directory for every preprocessing output; `nil` = the directory of
    /// `processed_item_info_path`.
    public var processedDir: String? = nil
    /// `feature_store_path`: precomputed encoder features of every item.
    public var featureStorePath = "data/processed/feature_store"
    /// `split_data_path`: directory of the split written by `pixelrec split`.
    public var splitDataPath = "data/splits/split_tiny"
    /// `train_data_path`
    public var trainDataPath = "data/splits/split_tiny/train.csv"
    /// `val_data_path`
    public var valDataPath = "data/splits/split_tiny/val.csv"
    /// `test_data_path`
    public var testDataPath = "data/splits/split_tiny/test.csv"
    /// `cache_processed_images`: keep decoded, preprocessed image tensors in the image cache.
    public var cacheProcessedImages = false
    /// `image_cache_config`
    public var imageCache = ImageCacheConfig()
    /// `offline_image_compression`
    public var offlineImageCompression = ImageCompressionConfig()
    /// `negative_sampling_ratio`: sampled negatives per positive interaction.
    public var negativeSamplingRatio = 1.0
    /// `negative_sampling_strategy`
    public var negativeSamplingStrategy: NegativeSamplingStrategy = .uniform
    /// `numerical_features_cols`: numeric item columns fed to the model.
    public var numericalFeaturesCols = [
        "view_number", "comment_number", "thumbup_number", "share_number", "coin_number", "favorite_number",
        "barrage_number",
    ]
    /// `numerical_normalization_method`
    public var numericalNormalizationMethod: NormalizationMethod = .standardization
    /// `text_augmentation`
    public var textAugmentation = TextAugmentationConfig()
    /// `offline_image_validation`
    public var offlineImageValidation = ImageValidationConfig()
    /// `offline_text_cleaning`
    public var offlineTextCleaning = TextCleaningConfig()
    /// `splitting`
    public var splitting = SplittingConfig()

    public init() {}

    /// The directory of preprocessing outputs: `processedDir`, or the directory of
    /// `processedItemInfoPath` (`.` when that path has no directory part).
    public var resolvedProcessedDir: String {
        if let processedDir { return processedDir }
        guard let slash = processedItemInfoPath.lastIndex(of: "/") else { return "." }
        let directory = processedItemInfoPath[..<slash]
        return directory.isEmpty ? "/" : String(directory)
    }

    /// The item table `pixelrec preprocess` writes and every later command reads: `processedItemInfoPath` as
    /// set, or, left at its default while `processedDir` is set, `<processedDir>/item_info.csv`.
    public var resolvedProcessedItemInfoPath: String {
        if let processedDir, processedItemInfoPath == DataConfig().processedItemInfoPath {
            return processedDir + "/item_info.csv"
        }
        return processedItemInfoPath
    }

    /// The interaction table `pixelrec preprocess` writes and `pixelrec split` reads: `processedInteractionsPath`
    /// as set, or, left at its default, `<resolvedProcessedDir>/interactions.csv` (next to the item table).
    public var resolvedProcessedInteractionsPath: String {
        if processedInteractionsPath == DataConfig().processedInteractionsPath {
            return resolvedProcessedDir + "/interactions.csv"
        }
        return processedInteractionsPath
    }

    /// Where `pixelrec preprocess` writes images: `processedImageDestinationFolder`, or
    /// `<resolvedProcessedDir>/images`.
    public var resolvedProcessedImageFolder: String {
        processedImageDestinationFolder ?? resolvedProcessedDir + "/images"
    }
}
