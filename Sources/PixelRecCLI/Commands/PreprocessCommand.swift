import Foundation
import PixelArguments
import PixelConfig
import PixelCore
import PixelData

/// `pixelrec preprocess`: clean text, validate and compress images, fit numeric scalers.
enum PreprocessCommand: Subcommand {
    static let command = Command(
        name: "preprocess",
        abstract: "Clean item text, validate and compress images, fit numeric feature scalers.",
        discussion: """
            Reads data.item_info_path, data.interactions_path and data.image_folder; writes item_info.csv, \
            interactions.csv, scalers.json, the id maps and preprocess_report.json (every dropped item with \
            its reason) into the processed folder (data.processed_dir, or the folder of \
            data.processed_item_info_path), and the validated images into \
            data.processed_image_destination_folder (default and with --output: images/ in that folder). An interrupted run \
            continues where it stopped: images already processed and valid are kept.
            """,
        arguments: CommonOptions.all + [
            .option("item-info", kind: .path, valueName: "csv", help: "Item info CSV (overrides data.item_info_path)."),
            .option(
                "interactions", kind: .path, valueName: "csv",
                help: "Interactions CSV (overrides data.interactions_path)."),
            .option("images", kind: .path, valueName: "dir", help: "Image folder (overrides data.image_folder)."),
            .option(
                "output", short: "o", kind: .path, valueName: "dir",
                help: "Folder for the processed files (overrides data.processed_dir)."),
            .flag("keep-items-without-image", help: "Keep items whose image is missing or invalid (text-only items)."),
            .option(
                "workers", kind: .integer(1...256), valueName: "n",
                help: "Image worker threads (default: training.threads, 0 = all cores)."),
        ],
        examples: [
            "pixelrec preprocess --config configs/default_config.yaml",
            "pixelrec preprocess --item-info raw/item_info.csv --interactions raw/interactions.csv --images raw/images --output processed",
        ]
    )

    static func run(_ context: CommandContext) throws {
        var config = try context.loadConfig()
        let invocation = context.invocation
        if let path = invocation.string("item-info") { config.data.itemInfoPath = path }
        if let path = invocation.string("interactions") { config.data.interactionsPath = path }
        if let path = invocation.string("images") { config.data.imageFolder = path }
        let output = invocation.string("output") ?? config.data.resolvedProcessedDir
        let outputImages = invocation.string("output") == nil ? config.data.resolvedProcessedImageFolder : nil

        var paths = context.paths()
        paths.input(config.data.itemInfoPath, context.source("item-info", else: "data.item_info_path"))
        paths.input(config.data.interactionsPath, context.source("interactions", else: "data.interactions_path"))
        paths.input(config.data.imageFolder, context.source("images", else: "data.image_folder"), directory: true)
        paths.output(output, invocation.isSet("output") ? "--output" : "data.processed_dir", directory: true)
        paths.output(outputImages, "data.processed_image_destination_folder", directory: true)
        try paths.check()

        var options = PreprocessOptions(config: config.data, itemColumns: try csvHeader(config.data.itemInfoPath))
        // `--output DIR` puts everything, images included, under DIR (default file names); else the two tables
        // take the names of data.processed_item_info_path / _interactions_path, in the processed directory.
        options.outputImagesDirectory = outputImages
        if !invocation.isSet("output") {
            let tables = [
                (config.data.resolvedProcessedItemInfoPath, "data.processed_item_info_path"),
                (config.data.resolvedProcessedInteractionsPath, "data.processed_interactions_path"),
            ]
            for (path, key) in tables where PathParts.directory(of: path) != PathParts.directory(of: output + "/x") {
                throw PixelError.invalidValue(
                    setting: key,
                    reason:
                        "\(path) is outside the processed directory \(output) (preprocess commits its outputs as "
                        + "one set in one folder): put it in \(output)/ or set data.processed_dir")
            }
            options.itemInfoFileName = PathParts.fileName(of: tables[0].0)
            options.interactionsFileName = PathParts.fileName(of: tables[1].0)
        }
        options.requireImage = !invocation.flag("keep-items-without-image")
        options.workers = invocation.int("workers") ?? ThreadCount.resolve(config.training.threads)

        let progress = PixelCore.Progress("preprocess images", total: nil, unit: "images")
        let report = try Preprocessor.run(
            inputDirectory: FileManager.default.currentDirectoryPath, outputDirectory: output, options: options,
            progress: progress)
        progress.finish()

        let console = context.console
        console.line("items: \(report.itemsInput) read, \(report.itemsKept) kept")
        for (reason, count) in report.droppedByReason.sorted(by: { $0.key < $1.key }) {
            console.line("  dropped \(reason): \(count)")
        }
        if report.interactionsDuplicatesDropped > 0 {
            console.warning(
                "\(config.data.interactionsPath): read \(report.interactionsInput) rows, dropped "
                    + "\(report.interactionsDuplicatesDropped) exact duplicate\(report.interactionsDuplicatesDropped == 1 ? "" : "s")"
            )
        }
        console.line(
            "interactions: read \(report.interactionsInput) rows, dropped \(report.interactionsDuplicatesDropped) exact "
                + "duplicates, \(report.interactionsKept) kept")
        console.line(
            "images: \(report.imagesCopied) copied, \(report.imagesCompressed) compressed, "
                + "\(report.imagesResumed) already done"
                + (options.checkCorrupted
                    ? ""
                    : "; corrupt-image check skipped (check_corrupted: false): \(report.imagesNotDecoded) not decoded"))
        console.line(
            "wrote \(output)/{\(options.itemInfoFileName),\(options.interactionsFileName),scalers.json,"
                + "preprocess_report.json}")
        console.line("images in \(options.outputImagesDirectory ?? output + "/images")")
    }
}

/// The header row of a CSV file.
func csvHeader(_ path: String) throws -> [String] {
    struct Stop: Error {}
    var header: [String] = []
    do {
        try CSVReader(path: path).forEachRecord { record in
            header = record.strings
            throw Stop()
        }
    } catch is Stop {}
    return header
}

/// Resolves `training.threads` (0 = every core).
enum ThreadCount {
    static func resolve(_ configured: Int) -> Int {
        configured > 0 ? configured : ProcessInfo.processInfo.activeProcessorCount
    }
}
