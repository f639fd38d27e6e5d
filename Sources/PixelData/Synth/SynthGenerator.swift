import Foundation
import PixelCore
import PixelImage

/// Writes a synthetic PixelRec-format data set (see `SynthWorld` for the model):
///
/// - `interactions.csv`: `item_id,user_id,timestamp`, users in order, each user's rows in time order;
/// - `item_info.csv`: `item_id`, the seven PixelRec count columns (`view_number` … `barrage_number`,
///   driven by popularity; ~1 % of `barrage_number` cells empty), `title`, `tag`, `description`;
/// - `images/<item_id>.jpg` when `withImages`, drawn and encoded on `workers` threads;
/// - `synth_info.json`: the options and counts.
///
/// Every file is written atomically; the same options give byte-identical files.
public enum SynthGenerator {
    public static let countColumns = [
        "view_number", "comment_number", "thumbup_number", "share_number", "coin_number", "favorite_number",
        "barrage_number",
    ]

    @discardableResult
    public static func generate(
        options: SynthOptions, outputDirectory: String, progress: PixelCore.Progress? = nil
    ) throws -> SynthReport {
        try options.validate()
        var report = SynthReport(users: options.users, items: options.items, seed: options.seed)
        // One set: a reader sees the previous data set or this one, never a mix.
        let files: Set<String> = ["interactions.csv", "item_info.csv", "images", "synth_info.json"]
        try AtomicFileSet.write(directory: outputDirectory, owning: files) { staging in
            report = try generate(options: options, into: staging, report: report, progress: progress)
        }
        return report
    }

    static func generate(
        options: SynthOptions, into outputDirectory: String, report: SynthReport, progress: PixelCore.Progress?
    ) throws -> SynthReport {
        var report = report
        var clock = Date()
        let world = SynthWorld(options: options)
        report.interactions = try writeInteractions(
            world, to: outputDirectory + "/interactions.csv", progress: progress)
        report.seconds["interactions"] = Date().timeIntervalSince(clock)
        clock = Date()
        try writeItems(world, to: outputDirectory + "/item_info.csv")
        report.seconds["items"] = Date().timeIntervalSince(clock)
        if options.withImages {
            clock = Date()
            report.images = try writeImages(world, directory: outputDirectory + "/images", progress: progress)
            report.seconds["images"] = Date().timeIntervalSince(clock)
        }
        try writeJSON(report, to: outputDirectory + "/synth_info.json")
        return report
    }

    static func writeInteractions(_ world: SynthWorld, to path: String, progress: PixelCore.Progress?) throws -> Int {
        let counts = world.interactionCounts()
        var rng = SeededGenerator(seed: world.options.seed, stream: 4)
        var marks = [Int32](repeating: 0, count: world.options.items)
        var written = 0
        try AtomicFile.write(to: path) { handle in
            var writer = CSVWriter(reserve: 1 << 23)
            writer.writeRow(["item_id", "user_id", "timestamp"])
            for u in 0..<world.options.users {
                world.draw(user: u, count: counts[u], marks: &marks, rng: &rng) { item, time in
                    writer.bytes.append(UInt8(ascii: "i"))
                    writer.appendInteger(Int(item) + 1)
                    writer.bytes.append(UInt8(ascii: ","))
                    writer.bytes.append(UInt8(ascii: "u"))
                    writer.appendInteger(u + 1)
                    writer.bytes.append(UInt8(ascii: ","))
                    writer.appendInteger(time)
                    writer.endRow()
                }
                written += counts[u]
                if writer.bytes.count > 1 << 23 {
                    try handle.write(contentsOf: writer.bytes)
                    writer.bytes.removeAll(keepingCapacity: true)
                }
                progress?.advance(by: counts[u])
            }
            try handle.write(contentsOf: writer.bytes)
        }
        return written
    }

    static func writeItems(_ world: SynthWorld, to path: String) throws {
        var writer = CSVWriter()
        writer.writeRow(["item_id"] + countColumns + ["title", "tag", "description"])
        var rng = SeededGenerator(seed: world.options.seed, stream: 5)
        // Engagement ratios of PixelRec's counters relative to views.
        let ratios = [1.0, 0.01, 0.05, 0.005, 0.01, 0.02, 0.03]
        for i in 0..<world.options.items {
            let views = world.popularity[i] * 2000 * exp(0.3 * SynthWorld.gaussian(&rng))
            var row = ["i\(i + 1)"]
            for (k, ratio) in ratios.enumerated() {
                if k == ratios.count - 1 && rng.unit() < 0.01 {
                    row.append("")
                } else {
                    row.append(String(format: "%.1f", (views * ratio * exp(0.2 * SynthWorld.gaussian(&rng))).rounded()))
                }
            }
            let text = world.text(item: i)
            row += [text.title, text.tag, text.description]
            writer.writeRow(row)
        }
        try writer.write(to: path)
    }

    static func writeImages(_ world: SynthWorld, directory: String, progress: PixelCore.Progress?) throws -> Int {
        let items = world.options.items
        let workers = min(world.options.workers, items)
        let failure = FirstError()
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            var i = worker
            while i < items && !failure.isSet {
                do {
                    let image = SynthImage.render(world, item: i)
                    let path = directory + "/i\(i + 1).jpg"
                    let data = try ImageCodec.encodeJPEG(image, quality: world.options.jpegQuality, path: path)
                    try AtomicFile.write(data, to: path)
                    progress?.advance()
                } catch {
                    failure.set(error)
                }
                i += workers
            }
        }
        if let error = failure.error {
            if let error = error as? ImageError { throw DataError.image(error) }
            throw error
        }
        return items
    }
}
