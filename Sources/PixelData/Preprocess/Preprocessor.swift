import Foundation
import PixelCore
import PixelImage

/// `pixelrec preprocess`: validates and (optionally) recompresses images, cleans text, parses numeric
/// columns and fits their scalers, drops unusable items with counts per reason, and writes
///
/// - `<out>/item_info.csv`: kept items, cleaned text, numeric columns as parsed (empty when missing),
///   plus an `image` column (`images/<file>`, empty when images are not required and absent);
/// - `<out>/interactions.csv`: interactions of kept items;
/// - `<out>/images/…`, `<out>/scalers.json`, `<out>/user_ids.json`, `<out>/item_ids.json`,
///   `<out>/preprocess_report.json` — every file atomically.
///
/// Resumable: an image already present in `<out>/images` that decodes and meets the minimum size is
/// kept as it is (counted as `resumed`), so an interrupted run continues where it stopped.
public enum Preprocessor {
    /// Outcome of one item's image.
    struct ImageOutcome: Sendable {
        var reason: String?
        var detail = ""
        var file = ""
        var action = 0  // 1 copied, 2 compressed, 3 resumed
        /// Only the header was read (`checkCorrupted` false).
        var headerOnly = false
        var bytesIn = 0
        var bytesOut = 0
        /// A failure to write the output image (not a property of the image): stops the run.
        var fatal: PixelError?
    }

    static func resolve(_ name: String, in directory: String) -> String {
        name.hasPrefix("/") ? name : directory + "/" + name
    }

    /// What the processed `image` column puts before a file name: the image folder relative to the output
    /// folder when inside it (`images/`), else its absolute path.
    static func imageColumnPrefix(images: String, output: String) -> String {
        let images = URL(fileURLWithPath: images).standardizedFileURL.path
        let output = URL(fileURLWithPath: output).standardizedFileURL.path
        if images.hasPrefix(output + "/") { return String(images.dropFirst(output.count + 1)) + "/" }
        return images + "/"
    }

    /// The files one run writes into the output folder, committed together (the two tables named by
    /// ``PreprocessOptions/itemInfoFileName`` and ``PreprocessOptions/interactionsFileName``).
    public static func setFiles(_ options: PreprocessOptions) -> [String] {
        [
            options.itemInfoFileName, options.interactionsFileName, "scalers.json", "item_ids.json", "user_ids.json",
            "preprocess_report.json",
        ]
    }

    @discardableResult
    public static func run(
        inputDirectory: String, outputDirectory: String, options: PreprocessOptions = .init(),
        progress: PixelCore.Progress? = nil
    ) throws -> PreprocessReport {
        try options.validate()
        var report = PreprocessReport()
        var clock = Date()
        let items = try ItemTable.load(
            path: resolve(options.itemInfoFile, in: inputDirectory), idColumn: options.itemIdColumn)
        let (interactions, load) = try InteractionTable.load(
            path: resolve(options.interactionsFile, in: inputDirectory), options: options.interactions)
        report.itemsInput = items.count
        report.interactionsInput = load.rowsRead
        report.interactionsDuplicatesDropped = load.duplicatesDropped
        guard items.count > 0 else {
            throw DataError.badFormat(path: items.path, reason: "no items (only a header); nothing to preprocess")
        }
        guard interactions.count > 0 else {
            throw DataError.badFormat(
                path: interactions.path, reason: "no interactions (only a header); nothing to preprocess")
        }
        report.seconds["load"] = Date().timeIntervalSince(clock)

        // Text.
        clock = Date()
        let cleaner = TextCleaner(options: options.text)
        var cleaned = items
        var textIndices: [Int] = []
        for column in options.textColumns {
            guard let index = items.header.firstIndex(of: column) else {
                throw DataError.missingColumn(path: items.path, column: column, available: items.header)
            }
            textIndices.append(index)
            cleaned.columns[index] = items.columns[index].map(cleaner.clean)
        }
        report.seconds["text"] = Date().timeIntervalSince(clock)

        // Numbers.
        var numeric: [String: [Double]] = [:]
        for column in options.numericColumns {
            guard let index = items.header.firstIndex(of: column) else {
                throw DataError.missingColumn(path: items.path, column: column, available: items.header)
            }
            var values = [Double](repeating: .nan, count: items.count)
            var missing = 0
            for row in 0..<items.count {
                var cell = items.columns[index][row]
                let parsed = cell.withUTF8 { ByteParsing.trimmed($0).isEmpty ? Double?.none : ByteParsing.double($0) }
                if let parsed {
                    values[row] = parsed
                } else {
                    if !cell.trimmingCharacters(in: .whitespaces).isEmpty && options.invalidNumbers == .error {
                        throw DataError.invalidValue(
                            path: items.path, line: items.lines.isEmpty ? 0 : items.lines[row], column: index + 1,
                            name: column,
                            value: cell, expected: "a number")
                    }
                    missing += 1
                }
            }
            numeric[column] = values
            report.numericMissing[column] = missing
        }

        // Images (parallel).
        clock = Date()
        let imageDirectory = resolve(options.imagesDirectory, in: inputDirectory)
        let outputImages =
            options.outputImagesDirectory.map { resolve($0, in: inputDirectory) } ?? outputDirectory + "/images"
        let imageReference = imageColumnPrefix(images: outputImages, output: outputDirectory)
        let ids = cleaned.ids
        var outcomes = [ImageOutcome](repeating: ImageOutcome(), count: ids.count)
        let workers = max(1, min(options.workers, ids.count))
        outcomes.withUnsafeMutableBufferPointer { results in
            let buffer = UncheckedSendable(results)
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                var i = worker
                while i < ids.count {
                    buffer.value[i] = processImage(id: ids[i], from: imageDirectory, to: outputImages, options: options)
                    progress?.advance()
                    i += workers
                }
            }
        }
        report.seconds["images"] = Date().timeIntervalSince(clock)
        // A write that failed (disk full, read-only folder) stops the run; it is not a bad image.
        if let fatal = outcomes.lazy.compactMap(\.fatal).first { throw fatal }

        // Keep or drop each item.
        var itemInteractions = [Int](repeating: 0, count: interactions.itemIds.count)
        for item in interactions.items { itemInteractions[Int(item)] += 1 }
        var keptRows: [Int] = []
        var imageColumn: [String] = []
        func drop(_ reason: String, _ id: String, _ detail: String) {
            report.droppedByReason[reason, default: 0] += 1
            if report.examples[reason, default: []].count < 20 {
                report.examples[reason, default: []].append(detail.isEmpty ? id : "\(id): \(detail)")
            }
        }
        for row in 0..<ids.count {
            let outcome = outcomes[row]
            if let reason = outcome.reason, options.requireImage {
                drop(reason, ids[row], outcome.detail)
                continue
            }
            if options.requireText && textIndices.allSatisfy({ cleaned.columns[$0][row].isEmpty }) {
                drop("missing_text", ids[row], "")
                continue
            }
            guard let item = interactions.itemIds.index(of: ids[row]), itemInteractions[Int(item)] > 0 else {
                drop("no_interactions", ids[row], "")
                continue
            }
            keptRows.append(row)
            imageColumn.append(outcome.reason == nil ? imageReference + outcome.file : "")
            switch outcome.action {
            case 1: report.imagesCopied += 1
            case 2: report.imagesCompressed += 1
            case 3: report.imagesResumed += 1
            default: break
            }
            if outcome.headerOnly { report.imagesNotDecoded += 1 }
            report.imageBytesIn += outcome.bytesIn
            report.imageBytesOut += outcome.bytesOut
        }
        report.itemsKept = keptRows.count
        if keptRows.isEmpty {
            let reasons = report.droppedByReason.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }
            throw DataError.badFormat(
                path: items.path,
                reason: "every item was dropped (\(reasons.joined(separator: ", "))); nothing to write"
                    + (options.requireImage ? " (--keep-items-without-image keeps items whose image is unusable)" : ""))
        }

        // Scalers on kept items.
        var scalers: [Scaler] = []
        for column in options.numericColumns {
            let values = keptRows.map { numeric[column]?[$0] ?? .nan }
            scalers.append(
                Scaler(column: column, kind: options.scalerOverrides[column] ?? options.scaler, values: values))
        }

        // Write, as one set (a reader sees the previous run's files or these, never a mix); images already
        // written into the output folder stay in it.
        clock = Date()
        var output = cleaned.subset(rows: keptRows)
        output.header.append("image")
        output.columns.append(imageColumn)
        var keepItem = [Bool](repeating: false, count: interactions.itemIds.count)
        for row in keptRows { if let item = interactions.itemIds.index(of: ids[row]) { keepItem[Int(item)] = true } }
        let keptInteractions = (0..<interactions.count).filter { keepItem[Int(interactions.items[$0])] }
        report.interactionsKept = keptInteractions.count
        var users = Set<Int32>()
        for row in keptInteractions { users.insert(interactions.users[row]) }
        report.users = users.count
        var userMap = IdMap(capacity: users.count)
        for row in keptInteractions { userMap.insert(interactions.userIds.key(interactions.users[row])) }
        let itemMap = try IdMap(keys: keptRows.map { ids[$0] })
        try AtomicFileSet.write(directory: outputDirectory, owning: Set(setFiles(options))) { staging in
            try output.write(to: staging + "/" + options.itemInfoFileName)
            try interactions.write(to: staging + "/" + options.interactionsFileName, rows: keptInteractions)
            try ScalerSet(scalers: scalers).save(to: staging + "/scalers.json")
            try itemMap.save(to: staging + "/item_ids.json", name: options.itemIdColumn)
            try userMap.save(to: staging + "/user_ids.json", name: options.interactions.userColumn)
            report.seconds["write"] = Date().timeIntervalSince(clock)
            try writeJSON(report, to: staging + "/preprocess_report.json")
        }
        progress?.finish("kept \(report.itemsKept) of \(report.itemsInput) items")
        return report
    }

    /// Finds, validates and writes one item's image.
    static func processImage(id: String, from directory: String, to outputDirectory: String, options: PreprocessOptions)
        -> ImageOutcome
    {
        var outcome = ImageOutcome()
        let manager = FileManager.default
        guard !id.contains("/"), !id.hasPrefix(".") else {
            outcome.reason = "missing_image"
            outcome.detail = "item id is not a file name"
            return outcome
        }
        var found: (path: String, ext: String)?
        for ext in options.allowedExtensions {
            for candidate in [ext, ext.uppercased()] where manager.fileExists(atPath: "\(directory)/\(id).\(candidate)")
            {
                found = ("\(directory)/\(id).\(candidate)", ext)
                break
            }
            if found != nil { break }
        }
        guard let found else {
            for ext in ["gif", "webp", "bmp", "tif", "tiff", "heic"]
            where manager.fileExists(atPath: "\(directory)/\(id).\(ext)") {
                outcome.reason = "unsupported_extension"
                outcome.detail = ".\(ext)"
                return outcome
            }
            outcome.reason = "missing_image"
            return outcome
        }
        // Resume: a valid image from an earlier run is kept.
        for ext in [found.ext, "jpg"] {
            let previous = "\(outputDirectory)/\(id).\(ext)"
            if manager.fileExists(atPath: previous), let data = manager.contents(atPath: previous),
                let image = try? ImageCodec.decode(data, path: previous, maxPixels: options.maxImagePixels),
                image.width >= options.minImageWidth, image.height >= options.minImageHeight
            {
                outcome.action = 3
                outcome.file = "\(id).\(ext)"
                outcome.bytesIn = (try? manager.attributesOfItem(atPath: found.path)[.size] as? Int) ?? 0
                outcome.bytesOut = data.count
                return outcome
            }
        }
        guard let data = manager.contents(atPath: found.path) else {
            outcome.reason = "corrupt_image"
            outcome.detail = "cannot read"
            return outcome
        }
        outcome.bytesIn = data.count
        do {
            // The size from the header (check_corrupted: false) or from the decoded image.
            var image: Image? = nil
            let width: Int, height: Int
            if options.checkCorrupted {
                let decoded = try ImageCodec.decode(data, path: found.path, maxPixels: options.maxImagePixels)
                (image, width, height) = (decoded, decoded.width, decoded.height)
            } else {
                let info = try ImageCodec.info(data, path: found.path)
                (width, height) = (info.width, info.height)
            }
            guard width >= options.minImageWidth, height >= options.minImageHeight else {
                outcome.reason = "too_small"
                outcome.detail = "\(width)x\(height)"
                return outcome
            }
            let resize =
                options.compressAboveKB != nil
                && (options.resizeAbove.map { width > $0.width || height > $0.height }
                    ?? (max(width, height) > options.maxLongestEdge))
            let needsCompression = resize || options.compressAboveKB.map { data.count > $0 * 1024 } ?? false
            outcome.headerOnly = image == nil && !needsCompression
            if needsCompression {
                let decoded = try image ?? ImageCodec.decode(data, path: found.path, maxPixels: options.maxImagePixels)
                let smaller = resize ? decoded.downscaled(longestEdge: options.maxLongestEdge) : decoded
                let encoded = try ImageCodec.encodeJPEG(smaller, quality: options.targetQuality, path: found.path)
                outcome.file = "\(id).jpg"
                try AtomicFile.write(encoded, to: "\(outputDirectory)/\(outcome.file)")
                outcome.bytesOut = encoded.count
                outcome.action = 2
            } else {
                outcome.file = "\(id).\(found.ext)"
                try AtomicFile.write(data, to: "\(outputDirectory)/\(outcome.file)")
                outcome.bytesOut = data.count
                outcome.action = 1
            }
        } catch let error as ImageError {
            switch error {
            case .empty: outcome.reason = "empty_image"
            case .unsupportedFormat: outcome.reason = "unsupported_format"
            case .unsupportedColorSpace: outcome.reason = "unsupported_colorspace"
            case .tooLarge: outcome.reason = "too_large"
            default: outcome.reason = "corrupt_image"
            }
            outcome.detail = error.description
        } catch let error as PixelError {
            outcome.fatal = error
        } catch {
            outcome.reason = "write_failed"
            outcome.detail = "\(error)"
        }
        return outcome
    }
}

/// Wraps a value whose concurrent use is made safe by the caller (workers touch disjoint indices).
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
