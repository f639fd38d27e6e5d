import Foundation
import PixelArguments
import PixelCore
import PixelEncoders
import PixelSession

/// `pixelrec encode`: compute item vision and text embeddings into the feature store.
enum EncodeCommand: Subcommand {
    static let command = Command(
        name: "encode",
        abstract: "Compute every item's vision and text embeddings once into the item feature store.",
        discussion: """
            Uses model.vision_model / model.language_model (and their *_model_path ONNX folders). Incremental: \
            only items missing from the store are encoded; a store made by another model file is rebuilt. \
            Items come from the processed item_info.csv when pixelrec preprocess has run, else from \
            data.item_info_path and data.image_folder; items without an image or text get a flagged zero \
            vector. Stores: <data.feature_store_path>/image.pxfs and text.pxfs; with \
            data.text_augmentation.enabled also text_views.pxfs (n_views edited copies of each text, which \
            training reads in place of the clean text); with model.trainable_encoder_layers \
            N > 0 and model.freeze_language: false also text_top.pxhs, each item's fp16 hidden states below the \
            text encoder's top N blocks (2·T·E bytes per item, T = the longest tokenized text).
            """,
        arguments: CommonOptions.all + [
            .option(
                "batch-size", kind: .integer(1...4096), valueName: "n", default: "32", help: "Items per encoder batch."),
            .flag("force", help: "Re-encode every item."),
            .option(
                "only", kind: .choice(["image", "text"]), valueName: "modality",
                help: "Update only the image or only the text store."),
            .option(
                "workers", kind: .integer(1...256), valueName: "n",
                help: "Decode/prepare worker threads (default: training.threads, 0 = all cores)."),
        ],
        examples: [
            "pixelrec encode --config configs/demo_config.yaml",
            "pixelrec encode --config c.yaml --set model.language_model=sentence-bert --set model.language_model_path=models/encoders/minilm",
        ]
    )

    static func run(_ context: CommandContext) throws {
        let config = try context.loadConfig()
        let invocation = context.invocation
        let modalities: [EncoderModality] =
            invocation.string("only").flatMap { EncoderModality(rawValue: $0) }.map { [$0] }
            ?? EncoderModality.allCases
        var paths = context.paths()
        let processed = config.data.resolvedProcessedItemInfoPath
        let useProcessed = FileManager.default.fileExists(atPath: processed)
        paths.input(
            useProcessed ? processed : config.data.itemInfoPath,
            useProcessed ? "data.processed_item_info_path" : "data.item_info_path")
        paths.input(config.data.imageFolder, "data.image_folder", directory: true)
        if useProcessed {
            paths.input(config.data.resolvedProcessedImageFolder, "the processed images", directory: true)
        }
        if modalities.contains(.image) {
            paths.input(config.model.resolvedVisionModelPath, "model.vision_model_path", directory: true)
        }
        if modalities.contains(.text) {
            paths.input(config.model.resolvedLanguageModelPath, "model.language_model_path", directory: true)
        }
        for modality in modalities { paths.output(ItemFeatures.storePath(config, modality), "data.feature_store_path") }
        if config.data.textAugmentation.enabled && modalities.contains(.text) {
            paths.output(ItemFeatures.textViewsPath(config), "data.feature_store_path")
        }
        let cachesStates = modalities.contains(.text) && ItemFeatures.cachesHiddenStates(config)
        if cachesStates { paths.output(ItemFeatures.hiddenStatesPath(config), "data.feature_store_path") }
        try paths.check()
        var hiddenStates: HiddenStateCacheBuilder.Report? = nil
        let reports = try ItemFeatures.update(
            config: config, batchSize: invocation.int("batch-size") ?? 32,
            threads: invocation.int("workers") ?? ThreadCount.resolve(config.training.threads),
            force: invocation.flag("force"), modalities: modalities, hiddenStates: { hiddenStates = $0 })
        let console = context.console
        for report in reports {
            let store = try FeatureStore(contentsOf: report.path)
            console.line(
                "\(store.identity.modality.rawValue): \(store.identity.name) \(store.dimension)-d: \(report.items) items, "
                    + "\(report.encoded) encoded, \(report.reused) reused, \(report.missing) missing in "
                    + "\(Progress.formatSeconds(report.seconds)) → \(report.path)")
            if let reason = report.rebuildReason { console.note("  rebuilt: \(reason)") }
            for line in report.notes { console.line("  " + line) }
            for (id, reason) in report.failures.sorted(by: { $0.key < $1.key }).prefix(5) {
                console.warning("item \(id): \(reason)")
            }
            if report.failures.count > 5 { console.warning("… \(report.failures.count - 5) more unreadable inputs") }
        }
        if let report = hiddenStates {
            let perItem = report.items > 0 ? report.bytes / report.items : 0
            console.line(
                "text top states: \(report.identity): \(report.items) items × [\(report.length), \(report.width)] fp16, "
                    + "\(report.encoded) encoded, \(report.missing) without text, \(report.bytes) bytes "
                    + "(\(perItem) per item) in \(Progress.formatSeconds(report.seconds)) → \(report.path)")
            if let reason = report.rebuildReason { console.note("  rebuilt: \(reason)") }
            if let probe = report.probeError, !context.quiet {
                console.note("  imported top vs the encoder on the first batch: max abs \(probe)")
            }
        }
    }
}
