import Foundation
import PixelConfig
import PixelCore
import PixelData
import PixelEncoders

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

    /// The processed item table (`<processed dir>/item_info.csv`, images in its `image` column relative
    /// to that folder) when `pixelrec preprocess` has run, else the raw `data.item_info_path` with
    /// images `data.image_folder/<item_id>.<ext>` for the allowed extensions. Text is `title`, `tag` and
    /// `description` (those present) joined with `. `.
    /// - Throws: `DataError` for unreadable tables.
    public static func inputs(_ config: PixelRecConfig) throws -> Inputs {
        let fileManager = FileManager.default
        let processedDir = config.data.resolvedProcessedDir
        let processed = processedDir + "/item_info.csv"
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
            reports.append(
                try FeatureStoreBuilder.update(
                    path: storePath(config, .image), identity: encoder.identity, ids: items.ids,
                    hasInput: paths.map { $0 != nil }, force: force
                ) { indices in
                    try runner.encodeImages(
                        paths: indices.map { paths[$0] ?? "" }, with: encoder, title: "encode images")
                })
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
            if let hiddenStates, cachesHiddenStates(config) {
                hiddenStates(
                    try updateHiddenStates(
                        config: config, items: items, encoder: encoder, batchSize: batchSize, force: force))
            }
        }
        return reports
    }
}
