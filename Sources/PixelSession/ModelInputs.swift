import Foundation
import PixelConfig
import PixelCore
import PixelData
import PixelEncoders
import PixelModels

/// Builds what the multimodal model reads from a configuration: item content features (feature
/// stores, encoded first when missing) and numeric item features with scalers fitted on training items.
public enum ModelInputs {
    /// The item table numeric features come from: the processed one when preprocess ran, else the raw one.
    public static func itemTable(_ config: PixelRecConfig) throws -> ItemTable {
        let processed = config.data.resolvedProcessedItemInfoPath
        let path = FileManager.default.fileExists(atPath: processed) ? processed : config.data.itemInfoPath
        return try ItemTable.load(path: path)
    }

    /// Scalers of the configured numeric columns present in the item table, fitted on `trainItems` only
    /// (no leakage from validation/test items); absent columns are reported through `warn` and skipped.
    public static func fitScalers(
        _ config: PixelRecConfig, table: ItemTable, trainItems: IdMap, warn: (String) -> Void
    ) throws -> ScalerSet {
        let kind = config.data.numericalNormalizationMethod
        let ids = try table.column(table.idColumn)
        let trainRows = ids.indices.filter { trainItems.index(of: ids[$0]) != nil }
        var scalers: [Scaler] = []
        let missing = config.data.numericalFeaturesCols.filter { !table.header.contains($0) }
        if !missing.isEmpty {
            warn(
                "\(table.path): numeric columns \(missing.joined(separator: ", ")) absent (data.numerical_features_cols); not used"
            )
        }
        for column in config.data.numericalFeaturesCols where table.header.contains(column) {
            // Cells that are not numbers count as missing here; the content step reports them.
            scalers.append(Scaler(column: column, kind: kind, values: try table.numbers(column, rows: trainRows)))
        }
        return ScalerSet(scalers: scalers)
    }

    /// Makes sure both feature stores exist and were made by the configured encoder families (runs the
    /// `encode` path for a store that is missing or whose encoder is another family, e.g. after
    /// `model.vision_model` changed; a store that does not open is left to the reader's error).
    public static func ensureFeatures(_ config: PixelRecConfig, threads: Int, log: (String) -> Void) throws {
        let missing = EncoderModality.allCases.filter {
            !FileManager.default.fileExists(atPath: ItemFeatures.storePath(config, $0))
        }
        if !missing.isEmpty {
            log(
                "item features missing (\(missing.map(\.rawValue).joined(separator: ", "))): encoding into \(config.data.featureStorePath)"
            )
        }
        var stale: [EncoderModality] = []
        for modality in EncoderModality.allCases where !missing.contains(modality) {
            let path = ItemFeatures.storePath(config, modality)
            let family = modality == .image ? config.model.visionModel.rawValue : config.model.languageModel.rawValue
            guard let store = try? FeatureStore(contentsOf: path), store.identity.name != family else { continue }
            log("\(path): made by the \(store.identity.name) encoder, the config names \(family): encoding again")
            stale.append(modality)
        }
        // Text views (data.text_augmentation): encoded with the text store when absent or made with
        // other augmentation settings.
        if config.data.textAugmentation.enabled && !missing.contains(.text) && !stale.contains(.text) {
            let path = ItemFeatures.textViewsPath(config)
            let current =
                (try? FeatureStore(contentsOf: path))?.identity.modelHash
                .hasSuffix(ItemFeatures.viewsSignature(config)) ?? false
            if !current {
                log("\(path): text views missing or made with other data.text_augmentation settings: encoding them")
                stale.append(.text)
            }
        }
        guard !missing.isEmpty || !stale.isEmpty else { return }
        try ItemFeatures.update(
            config: config, threads: threads,
            modalities: EncoderModality.allCases.filter { missing.contains($0) || stale.contains($0) })
    }

    /// `content` with the training text views of `data.text_augmentation` when it is enabled (every item of
    /// `itemIds` with text has `n_views` views in ``ItemFeatures/textViewsPath(_:)``), else `content`.
    /// - Throws: `PixelError.invalidValue` naming the key when the views store lacks the views of an item.
    public static func withTextViews(_ content: ItemContent, config: PixelRecConfig, itemIds: IdMap) throws
        -> ItemContent
    {
        let a = config.data.textAugmentation
        guard a.enabled else { return content }
        let path = ItemFeatures.textViewsPath(config)
        let store = try FeatureStore(contentsOf: path)
        guard store.dimension == content.textWidth else {
            throw PixelError.invalidValue(
                setting: "data.text_augmentation.enabled",
                reason:
                    "\(path) holds \(store.dimension)-d views, the text store \(content.textWidth)-d (run pixelrec encode)"
            )
        }
        let keys = itemIds.keys
        let viewKeys = keys.flatMap { key in (1...a.nViews).map { ItemFeatures.viewKey(key, $0) } }
        let views = store.matrix(for: viewKeys)
        let present = (0..<keys.count).map { i in views.present[(i * a.nViews)..<((i + 1) * a.nViews)].allSatisfy { $0 }
        }
        return try content.withTextViews(views.rows, views: a.nViews, present: present)
    }

    /// Content rows for the items of `itemIds`, in its order: vision and text from the stores (zero rows
    /// for items without one), numeric features scaled with `scalers`; with `textTop` (a model with a
    /// trainable text top) also every item's cached hidden states (`text_top.pxhs`, from `pixelrec encode`).
    public static func content(
        _ config: PixelRecConfig, table: ItemTable, itemIds: IdMap, scalers: ScalerSet,
        textTop: TrainableEncoderTop.Architecture? = nil
    ) throws -> ItemContent {
        let keys = itemIds.keys
        let image = try FeatureStore(contentsOf: ItemFeatures.storePath(config, .image))
        let text = try FeatureStore(contentsOf: ItemFeatures.storePath(config, .text))
        let v = image.matrix(for: keys), t = text.matrix(for: keys)
        let numeric =
            scalers.scalers.isEmpty
            ? NumericFeatures?.none : try NumericFeatures(items: table, itemIds: itemIds, scalers: scalers)
        var content = try ItemContent(
            count: keys.count, vision: v.rows, visionWidth: image.dimension, text: t.rows, textWidth: text.dimension,
            numeric: numeric?.values ?? [], numericWidth: numeric?.columns.count ?? 0,
            hasBothModalities: zip(v.present, t.present).map { $0 && $1 })
        if let textTop {
            let cache = try HiddenStateCache(contentsOf: ItemFeatures.hiddenStatesPath(config))
            content.textStates = try CachedTextStates(
                cache: cache, itemIDs: keys, cut: textTop.cut, width: textTop.blocks[0].width)
        }
        return content
    }

    /// The text encoder's top imported for training (`model.trainable_encoder_layers` with
    /// `freeze_language: false`), after bringing its hidden-state cache up to date (reused when current).
    /// - Throws: `EncoderError` when the text encoder is not an ONNX transformer the importer recognises.
    public static func importTextTop(_ config: PixelRecConfig, threads: Int, log: (String) -> Void) throws
        -> TrainableEncoderTop
    {
        let encoder = try EncoderRegistry.shared.textEncoder(
            named: config.model.languageModel.rawValue,
            options: EncoderOptions(modelDirectory: config.model.resolvedLanguageModelPath, threads: threads))
        guard let onnx = encoder as? ONNXTextEncoder else {
            throw EncoderError.invalidArgument(
                "model.trainable_encoder_layers: the text encoder '\(encoder.identity.name)' is not an ONNX transformer"
            )
        }
        let items = try ItemFeatures.inputs(config)
        let report = try HiddenStateCacheBuilder.update(
            path: ItemFeatures.hiddenStatesPath(config), encoder: onnx, layers: config.model.trainableEncoderLayers,
            ids: items.ids, texts: items.texts)
        if report.encoded > 0 {
            log("text top states: \(report.encoded) items encoded → \(report.path) (\(report.bytes) bytes)")
        }
        return try HiddenStateCacheBuilder.top(of: onnx, layers: config.model.trainableEncoderLayers)
    }
}
