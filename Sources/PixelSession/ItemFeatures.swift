import Foundation
import PixelConfig
import PixelCore
import PixelData
import PixelEncoders
import PixelImage

/// The item feature stores of a configuration: which items, their images and texts, which encoders,
/// and where the stores live. `pixelrec encode` runs ``update(config:batchSize:force:console:)``;
/// `train` calls the same when features are missing.
public enum ItemFeatures {
    /// Item ids with their image file (or `nil`) and text (empty when none).
    public struct Inputs: Sendable {
        public var source: String
        public var ids: [String]
        public var imagePaths: [String?]
        public var texts: [String]
    }

    /// `<data.feature_store_path>/<modality>.pxfs`.
    public static func storePath(_ config: PixelRecConfig, _ modality: EncoderModality) -> String {
        config.data.featureStorePath + "/" + modality.rawValue + ".pxfs"
    }

    /// `<data.feature_store_path>/text_views.pxfs`: the text features of edited copies of each item's text
    /// (`data.text_augmentation`), keyed `<item id>\t<view>` for views `1…n_views`.
    public static func textViewsPath(_ config: PixelRecConfig) -> String {
        config.data.featureStorePath + "/text_views.pxfs"
    }

    /// The key of view `view` (1-based) of `item` in the views store (injective: the view follows the
    /// last tab).
    public static func viewKey(_ item: String, _ view: Int) -> String { item + "\t" + String(view) }

    /// The augmenter of `data.text_augmentation` (`random_delete`: each word deleted with `delete_prob`;
    /// `random_swap`: neighbours swapped with `swap_prob`; `shuffle`: the words shuffled), seeded by
    /// `data.splitting.random_state` (the data's seed: views are data, shared by every training seed).
    public static func augmenter(_ config: PixelRecConfig) throws -> TextAugmenter {
        let a = config.data.textAugmentation
        let options: TextAugmentOptions
        switch a.augmentationType {
        case .randomDelete: options = TextAugmentOptions(deleteProbability: a.deleteProb, swapProbability: 0)
        case .randomSwap: options = TextAugmentOptions(deleteProbability: 0, swapProbability: a.swapProb)
        case .shuffle: options = TextAugmentOptions(deleteProbability: 0, swapProbability: 0, shuffleProbability: 1)
        }
        var seeded = options
        seeded.seed = UInt64(config.data.splitting.randomState)
        return try TextAugmenter(options: seeded)
    }

    /// The processed item table (`data.processed_item_info_path`, images in its `image` column relative
    /// to its folder) when `pixelrec preprocess` has run, else the raw `data.item_info_path` with
    /// images `data.image_folder/<item_id>.<ext>` for the allowed extensions. Text is `title`, `tag` and
    /// `description` (those present) joined with `. `.
    /// - Throws: `DataError` for unreadable tables.
    public static func inputs(_ config: PixelRecConfig) throws -> Inputs {
        let fileManager = FileManager.default
        let processed = config.data.resolvedProcessedItemInfoPath
        let processedDir = PathParts.directory(of: processed)
        let useProcessed = fileManager.fileExists(atPath: processed)
        let table = try ItemTable.load(path: useProcessed ? processed : config.data.itemInfoPath)
        let ids = table.ids
        let textColumns = ["title", "tag", "description"].filter(table.header.contains)
        let columns = try textColumns.map { try table.column($0) }
        var texts = [String](repeating: "", count: ids.count)
        for row in ids.indices {
            texts[row] = columns.map { $0[row].trimmingCharacters(in: .whitespacesAndNewlines) }
                .filter { !$0.isEmpty }.joined(separator: ". ")
        }
        var images = [String?](repeating: nil, count: ids.count)
        if useProcessed, table.header.contains("image") {
            let column = try table.column("image")
            for row in ids.indices where !column[row].isEmpty {
                let path = column[row].hasPrefix("/") ? column[row] : processedDir + "/" + column[row]
                if fileManager.fileExists(atPath: path) { images[row] = path }
            }
        } else {
            let extensions = config.data.offlineImageValidation.allowedExtensions.map {
                $0.hasPrefix(".") ? String($0.dropFirst()) : $0
            }
            for (row, id) in ids.enumerated() {
                for ext in extensions {
                    let path = config.data.imageFolder + "/" + id + "." + ext
                    if fileManager.fileExists(atPath: path) {
                        images[row] = path
                        break
                    }
                }
            }
        }
        return Inputs(source: table.path, ids: ids, imagePaths: images, texts: texts)
    }

    /// `<data.feature_store_path>/text_top.pxhs`: the text encoder's hidden states at the cut below its
    /// trainable top (``HiddenStateCache``).
    public static func hiddenStatesPath(_ config: PixelRecConfig) -> String {
        config.data.featureStorePath + "/text_top.pxhs"
    }

    /// Whether the config trains the text encoder's top (so `encode` caches the states at the cut).
    public static func cachesHiddenStates(_ config: PixelRecConfig) -> Bool {
        config.model.trainableEncoderLayers > 0 && !config.model.freezeLanguage
    }

    /// Brings the hidden-state cache up to date with the text encoder and the items (same tokenization and
    /// maximum length as the text store).
    /// - Throws: `EncoderError.invalidArgument` when the text encoder is not an ONNX transformer; the
    ///   importer's errors (unsupported graph, too many layers), I/O errors.
    public static func updateHiddenStates(
        config: PixelRecConfig, items: Inputs, encoder: any TextEncoder, batchSize: Int, force: Bool
    ) throws -> HiddenStateCacheBuilder.Report {
        guard let onnx = encoder as? ONNXTextEncoder else {
            throw EncoderError.invalidArgument(
                "model.trainable_encoder_layers: the text encoder '\(encoder.identity.name)' is not an ONNX transformer"
            )
        }
        return try HiddenStateCacheBuilder.update(
            path: hiddenStatesPath(config), encoder: onnx, layers: config.model.trainableEncoderLayers, ids: items.ids,
            texts: items.texts, batchSize: batchSize, force: force)
    }

    /// Brings both stores up to date (only new items are encoded) and returns their reports.
    /// - Parameters:
    ///   - modalities: which stores to update.
    ///   - threads: worker threads for decoding and preparation.
    /// - Throws: encoder construction errors (missing model files name the folder), I/O errors.
    ///   - hiddenStates: also bring the hidden-state cache up to date (with the text store), when
    ///     ``cachesHiddenStates(_:)``; its report is passed to `hiddenStates`.
    @discardableResult
    public static func update(
        config: PixelRecConfig, batchSize: Int = 32, threads: Int = 2, force: Bool = false,
        modalities: [EncoderModality] = EncoderModality.allCases, registry: EncoderRegistry = .shared,
        hiddenStates: ((HiddenStateCacheBuilder.Report) -> Void)? = nil
    ) throws -> [FeatureStoreBuilder.Report] {
        let items = try inputs(config)
        let runner = ItemEncoder(batchSize: batchSize, threads: threads)
        var reports: [FeatureStoreBuilder.Report] = []
        // One modality at a time, so the first encoder (and its buffers) is freed before the second loads.
        if modalities.contains(.image) {
            let encoder = try registry.imageEncoder(
                named: config.model.visionModel.rawValue,
                options: EncoderOptions(modelDirectory: config.model.resolvedVisionModelPath, threads: threads))
            let paths = items.imagePaths
            let cache = try imageCache(config, encoder: encoder)
            var source: (@Sendable (String) throws -> [Float])? = nil
            if let cache { source = { path in try cache.features(for: path) } }
            var precomputed: String? = nil
            if let cache, config.data.imageCache.precomputeAtStartup {
                // Unreadable images fail again (and are reported) when encoded.
                let present = paths.compactMap { $0 }
                let size = config.data.imageCache.preprocessingBatchSize
                let (computed, batches) = try cache.precompute(
                    present, workers: threads, batchSize: size, skipFailures: true)
                precomputed =
                    "precomputed at startup: \(computed) of \(present.count) images decoded in \(batches) "
                    + "batches of \(size)"
            }
            var report = try FeatureStoreBuilder.update(
                path: storePath(config, .image), identity: encoder.identity, ids: items.ids,
                hasInput: paths.map { $0 != nil }, force: force
            ) { (indices: [Int]) throws -> FeatureStoreBuilder.Encoded in
                let chosen = indices.map { paths[$0] ?? "" }
                return try runner.encodeImages(paths: chosen, with: encoder, title: "encode images", prepared: source)
            }
            if let cache {
                let s = cache.statistics, strategy = cache.options.strategy
                let place = strategy == .memory ? "" : cache.options.directory.map { ", " + $0 } ?? ""
                report.notes.append(
                    "image cache (\(strategy.rawValue)\(place)): "
                        + "\(s.hits) hits (memory \(s.memoryHits), disk \(s.diskHits)), \(s.misses) decoded, "
                        + "\(s.staleDiskEntries) stale entries replaced"
                        + (s.evictions > 0 ? ", \(s.evictions) evicted from memory (max_memory_items)" : ""))
                if let precomputed { report.notes.append(precomputed) }
            }
            reports.append(report)
        }
        if modalities.contains(.text) {
            var encoder = try registry.textEncoder(
                named: config.model.languageModel.rawValue,
                options: EncoderOptions(modelDirectory: config.model.resolvedLanguageModelPath, threads: threads))
            // Corpus statistics (the built-in TF-IDF's IDF) come from every item's text.
            encoder = encoder.adapted(to: items.texts.filter { !$0.isEmpty })
            let texts = items.texts
            reports.append(
                try FeatureStoreBuilder.update(
                    path: storePath(config, .text), identity: encoder.identity, ids: items.ids,
                    hasInput: texts.map { !$0.isEmpty }, force: force
                ) { indices in
                    try runner.encodeTexts(indices.map { texts[$0] }, with: encoder, title: "encode texts")
                })
            if config.data.textAugmentation.enabled {
                reports.append(
                    try updateTextViews(config: config, items: items, encoder: encoder, runner: runner, force: force))
            }
            if let hiddenStates, cachesHiddenStates(config) {
                hiddenStates(
                    try updateHiddenStates(
                        config: config, items: items, encoder: encoder, batchSize: batchSize, force: force))
            }
        }
        return reports
    }

    /// The image cache of `data.cache_processed_images` / `data.image_cache_config` for `encoder` (`nil`
    /// when off or `disabled`): encoder-ready tensors (decoded, resized, normalised: `preparedCount` Float32,
    /// 602 KB for a 224² RGB input) in a memory LRU and/or one file per image under `cache_directory`,
    /// keyed by the encoder's identity and the image's path, size and mtime — so `encode --force` or
    /// another encoder with the same input skips decoding.
    public static func imageCache(_ config: PixelRecConfig, encoder: any ImageEncoder) throws -> SharedImageCache? {
        let c = config.data.imageCache
        guard config.data.cacheProcessedImages, c.strategy != .disabled else { return nil }
        let identity = encoder.identity
        let options = ImageCacheOptions(
            strategy: c.strategy, maxMemoryItems: c.maxMemoryItems, directory: c.cacheDirectory,
            descriptor: "\(identity.name)|\(identity.modelHash)|\(encoder.preparedCount)")
        return try SharedImageCache(options: options) { path in encoder.prepare(try ImageCodec.decode(contentsOf: path))
        }
    }

    /// What the views store's identity adds to the text encoder's hash: the augmentation settings.
    public static func viewsSignature(_ config: PixelRecConfig) -> String {
        let a = config.data.textAugmentation
        return "+views(\(a.augmentationType.rawValue),delete \(a.deleteProb),swap \(a.swapProb),n \(a.nViews),"
            + "seed \(config.data.splitting.randomState))"
    }

    /// Encodes `n_views` edited copies of every item text into ``textViewsPath(_:)``. The store's identity
    /// is the text encoder's plus the augmentation settings, so changing either rebuilds it.
    public static func updateTextViews(
        config: PixelRecConfig, items: Inputs, encoder: any TextEncoder, runner: ItemEncoder, force: Bool
    ) throws -> FeatureStoreBuilder.Report {
        let a = config.data.textAugmentation
        let augmenter = try augmenter(config)
        var keys: [String] = [], texts: [String] = []
        for (row, text) in items.texts.enumerated() where !text.isEmpty {
            for view in 1...a.nViews {
                keys.append(viewKey(items.ids[row], view))
                texts.append(augmenter.augment(text, epoch: view, item: row))
            }
        }
        var identity = encoder.identity
        identity.modelHash += viewsSignature(config)
        return try FeatureStoreBuilder.update(
            path: textViewsPath(config), identity: identity, ids: keys, hasInput: keys.map { _ in true }, force: force
        ) { indices in
            try runner.encodeTexts(indices.map { texts[$0] }, with: encoder, title: "encode text views")
        }
    }
}
