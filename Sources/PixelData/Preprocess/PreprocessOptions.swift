/// What to do with a non-empty numeric cell that is not a number.
public enum InvalidNumberPolicy: String, Sendable, CaseIterable {
    /// Fail naming file, line and column.
    case error
    /// Treat as missing (counted in the report).
    case missing
}

/// A width × height bound in pixels.
public struct ImageBounds: Sendable, Equatable {
    public var width: Int
    public var height: Int
    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }
}

/// Options of `Preprocessor` (`pixelrec preprocess`).
public struct PreprocessOptions: Sendable, Equatable {
    /// File names inside the input directory (absolute paths also work).
    public var interactionsFile = "interactions.csv"
    public var itemInfoFile = "item_info.csv"
    /// Directory of `<item_id>.<ext>` images, relative to the input directory unless absolute. Default `images`.
    public var imagesDirectory = "images"
    /// Where validated (and compressed) images are written, relative to the input directory unless
    /// absolute; nil writes them to `<output directory>/images`. The processed `item_info.csv` names each
    /// image relative to the output directory when it lies inside it, else by its absolute path.
    public var outputImagesDirectory: String?
    /// Column names.
    public var interactions = InteractionLoadOptions()
    public var itemIdColumn = "item_id"
    /// Text columns to clean (absent ones are an error). Default `title, tag, description`.
    public var textColumns = ["title", "tag", "description"]
    /// Numeric feature columns to parse and fit scalers on. Default none.
    public var numericColumns: [String] = []
    /// Scaler for every numeric column unless overridden per column. Default `.standardization`.
    public var scaler: ScalerKind = .standardization
    public var scalerOverrides: [String: ScalerKind] = [:]
    public var invalidNumbers: InvalidNumberPolicy = .error
    /// Text cleaning steps.
    public var text = TextCleaningOptions()
    /// Drop items without a valid image. Default true.
    public var requireImage = true
    /// Drop items whose text columns are all empty after cleaning. Default false.
    public var requireText = false
    /// Image file extensions looked for, in order (lowercase, no dot). Default `jpg, jpeg, png`.
    public var allowedExtensions = ["jpg", "jpeg", "png"]
    /// Images smaller than this are dropped as `too_small`. Defaults 32 × 32.
    public var minImageWidth = 32
    public var minImageHeight = 32
    /// Decoded-size cap; larger headers are rejected (`too_large`) before allocation. Default 64 Mpx.
    public var maxImagePixels = 64 * 1024 * 1024
    /// Recompress images larger than this many KB, and resize those wider or taller than `resizeAbove`
    /// (to `maxLongestEdge`); `nil` copies every valid image unchanged. Default `nil`.
    public var compressAboveKB: Int? = nil
    /// With compression on: only images wider than `width` or taller than `height` are resized
    /// (`data.offline_image_compression.resize_if_pixels_larger_than`); `nil`: those with a longer edge than
    /// `maxLongestEdge`. Default `nil`.
    public var resizeAbove: ImageBounds? = nil
    /// Decode every image to validate it (`data.offline_image_validation.check_corrupted`). `false` reads
    /// only the header (format, size, colour space: the minimum size still applies) and copies the file
    /// unchanged unless it must be recompressed; a file whose header is fine but whose data is corrupt is
    /// kept. Default `true`.
    public var checkCorrupted = true
    /// JPEG quality of recompressed images. Default 85.
    public var targetQuality = 85
    /// Longest edge of recompressed images (area downscaling). Default 512.
    public var maxLongestEdge = 512
    /// Worker threads for images. Default 2.
    public var workers = 2
    /// File name of the item table in the output folder (`data.processed_item_info_path`). Default
    /// `item_info.csv`.
    public var itemInfoFileName = "item_info.csv"
    /// File name of the interaction table in the output folder (`data.processed_interactions_path`). Default
    /// `interactions.csv`.
    public var interactionsFileName = "interactions.csv"

    public init() {}

    /// - Throws: `DataError.invalidOption` naming the option.
    public func validate() throws {
        guard minImageWidth >= 1, minImageHeight >= 1 else {
            throw DataError.invalidOption(name: "min_image_size", reason: "must be ≥ 1")
        }
        guard (1...100).contains(targetQuality) else {
            throw DataError.invalidOption(name: "target_quality", reason: "must be in 1…100")
        }
        guard maxLongestEdge >= 8 else {
            throw DataError.invalidOption(name: "max_longest_edge", reason: "must be ≥ 8")
        }
        if let kb = compressAboveKB {
            guard kb >= 0 else { throw DataError.invalidOption(name: "compress_above_kb", reason: "must be ≥ 0") }
        }
        guard workers >= 1 else { throw DataError.invalidOption(name: "workers", reason: "must be ≥ 1") }
        guard !allowedExtensions.isEmpty else {
            throw DataError.invalidOption(name: "allowed_extensions", reason: "must not be empty")
        }
        let reserved: Set = ["scalers.json", "item_ids.json", "user_ids.json", "preprocess_report.json", "images"]
        for (name, file) in [
            ("processed_item_info_path", itemInfoFileName), ("processed_interactions_path", interactionsFileName),
        ] {
            guard !file.isEmpty, !file.contains("/"), file != ".", file != "..", !reserved.contains(file) else {
                throw DataError.invalidOption(
                    name: name, reason: "file name '\(file)' must be a plain name other than \(reserved.sorted())")
            }
        }
        guard itemInfoFileName != interactionsFileName else {
            throw DataError.invalidOption(
                name: "processed_interactions_path", reason: "must differ from processed_item_info_path's file name")
        }
    }
}

/// What preprocessing did; written as `preprocess_report.json`.
public struct PreprocessReport: Sendable, Equatable, Codable {
    public var format = "pixelrec-preprocess"
    public var version = 1
    public var itemsInput = 0
    public var itemsKept = 0
    /// Dropped items per reason: `missing_image`, `unsupported_extension`, `empty_image`, `corrupt_image`,
    /// `unsupported_format`, `unsupported_colorspace`, `too_large`, `too_small`, `missing_text`,
    /// `no_interactions`.
    public var droppedByReason: [String: Int] = [:]
    /// Up to 20 example item ids per reason, with the error text.
    public var examples: [String: [String]] = [:]
    /// Images written: `copied` unchanged, `compressed` (resized/re-encoded), `resumed` (already valid in
    /// the output from an earlier run).
    public var imagesCopied = 0
    public var imagesCompressed = 0
    public var imagesResumed = 0
    /// Images whose data was not decoded (`check_corrupted: false`: header only).
    public var imagesNotDecoded = 0
    /// Bytes of kept images before and after.
    public var imageBytesIn = 0
    public var imageBytesOut = 0
    /// Interaction rows read (header excluded), before exact duplicates are dropped.
    public var interactionsInput = 0
    /// Exact duplicate interaction rows dropped (same user, item and timestamp as an earlier row).
    public var interactionsDuplicatesDropped = 0
    public var interactionsKept = 0
    public var users = 0
    /// Missing / invalid cells per numeric column.
    public var numericMissing: [String: Int] = [:]
    public var seconds: [String: Double] = [:]

    enum CodingKeys: String, CodingKey {
        case format, version, examples, users, seconds
        case itemsInput = "items_input"
        case itemsKept = "items_kept"
        case droppedByReason = "dropped_by_reason"
        case imagesCopied = "images_copied"
        case imagesCompressed = "images_compressed"
        case imagesResumed = "images_resumed"
        case imagesNotDecoded = "images_not_decoded"
        case imageBytesIn = "image_bytes_in"
        case imageBytesOut = "image_bytes_out"
        case interactionsInput = "interactions_input"
        case interactionsKept = "interactions_kept"
        case numericMissing = "numeric_missing"
    }
}
