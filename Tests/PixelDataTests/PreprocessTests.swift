import Foundation
import PixelImage
import Testing

@testable import PixelData

@Suite("Preprocessing")
struct PreprocessTests {
    @Test(arguments: [
        ("<p>Hello&nbsp;<b>World</b></p>", "hello world"),
        ("Tom &amp; Jerry &#39;s &#x41;", "tom & jerry 's a"),
        ("ﬁne  ＡＢＣ\n\ttext", "fine abc text"),
        ("a < b and c>d", "a < b and c>d"),
        ("<!-- note -->Kept", "kept"),
    ])
    func textCleaning(input: String, expected: String) {
        #expect(TextCleaner().clean(input) == expected)
    }

    @Test func textStepsAreConfigurable() {
        let cleaner = TextCleaner(
            options: TextCleaningOptions(
                stripHTML: false, decodeEntities: true, normalizeNFKC: false, collapseWhitespace: false,
                lowercase: false))
        #expect(cleaner.clean("<i>A&amp;B</i>  x") == "<i>A&B</i>  x")
    }

    @Test func scalers() throws {
        // numpy: x = [1, 2, 3, 4, nan]; mean 2.5, std (ddof=0) 1.118033988749895
        let standard = Scaler(column: "x", kind: .standardization, values: [1, 2, 3, 4, .nan])
        #expect(abs(standard.std - 1.118033988749895) < 1e-12 && standard.missing == 1)
        #expect(abs(standard.transform(4) - 1.3416407) < 1e-6 && standard.transform(.nan) == 0)
        let minMax = Scaler(column: "x", kind: .minMax, values: [2, 4, 6])
        #expect(minMax.transform(5) == 0.75)
        // numpy: y = log1p([0, 9, 99]) → mean 2.3025850929940455, std 1.8801...; (log1p(9) − mean)/std
        let log = Scaler(column: "x", kind: .log1pStandardization, values: [0, 9, 99])
        let y = [0.0, log1p(9.0), log1p(99.0)]
        let mean = y.reduce(0, +) / 3
        let std = (y.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 3).squareRoot()
        #expect(abs(Double(log.transform(9)) - (log1p(9) - mean) / std) < 1e-6)
        let path = temporaryDirectory() + "/scalers.json"
        try ScalerSet(scalers: [standard, minMax, log]).save(to: path)
        #expect(try ScalerSet.load(from: path).scalers == [standard, minMax, log])
    }

    /// A tiny data set with one good image per kind of problem.
    static func makeDataset() throws -> String {
        let directory = temporaryDirectory("preprocess")
        let images = directory + "/images"
        try FileManager.default.createDirectory(atPath: images, withIntermediateDirectories: true)
        let good = ImageCodecTests.gradient(width: 64, height: 40)
        try ImageCodec.encodeJPEG(good, quality: 90).write(to: URL(fileURLWithPath: images + "/i1.jpg"))
        try ImageCodec.encodePNG(good).write(to: URL(fileURLWithPath: images + "/i2.png"))
        let big = ImageCodecTests.gradient(width: 400, height: 300)
        try ImageCodec.encodeJPEG(big, quality: 100).write(to: URL(fileURLWithPath: images + "/i3.jpg"))
        try Data().write(to: URL(fileURLWithPath: images + "/i4.jpg"))
        let jpeg = try ImageCodec.encodeJPEG(good)
        try jpeg.prefix(jpeg.count / 3).write(to: URL(fileURLWithPath: images + "/i5.jpg"))
        try ImageCodec.encodeCMYKJPEG(cmyk: [UInt8](repeating: 9, count: 64 * 64 * 4), width: 64, height: 64).write(
            to: URL(fileURLWithPath: images + "/i6.jpg"))
        try ImageCodec.encodeJPEG(ImageCodecTests.gradient(width: 10, height: 10)).write(
            to: URL(fileURLWithPath: images + "/i7.jpg"))
        try Data(PNGBuilder.png(width: 90_000, height: 90_000, colorType: 2, rows: [[0, 0, 0]])).write(
            to: URL(fileURLWithPath: images + "/i8.png"))
        try Data("GIF89a".utf8).write(to: URL(fileURLWithPath: images + "/i9.gif"))
        // i10: no image at all; i11: good image but no interactions.
        try ImageCodec.encodeJPEG(good).write(to: URL(fileURLWithPath: images + "/i11.jpg"))
        var items = "item_id,views,title,tag,description\n"
        for i in 1...11 { items += "i\(i),\(i == 2 ? "" : "\(i * 100).0"),\"<b>Title</b> \(i)\",Tag,Desc &amp; more\n" }
        try items.write(toFile: directory + "/item_info.csv", atomically: true, encoding: .utf8)
        var interactions = "item_id,user_id,timestamp\n"
        for i in 1...10 { interactions += "i\(i),u1,\(i)\ni\(i),u2,\(i + 100)\n" }
        try interactions.write(toFile: directory + "/interactions.csv", atomically: true, encoding: .utf8)
        return directory
    }

    @Test func reportsEveryReasonAndWritesOutputs() throws {
        let input = try Self.makeDataset()
        let output = temporaryDirectory("preprocess-out")
        var options = PreprocessOptions()
        options.numericColumns = ["views"]
        options.scaler = .log1pStandardization
        options.compressAboveKB = 20
        options.maxLongestEdge = 128
        let report = try Preprocessor.run(inputDirectory: input, outputDirectory: output, options: options)
        #expect(report.itemsInput == 11 && report.itemsKept == 3)
        #expect(
            report.droppedByReason == [
                "empty_image": 1, "corrupt_image": 1, "unsupported_colorspace": 1, "too_small": 1, "too_large": 1,
                "unsupported_extension": 1, "missing_image": 1, "no_interactions": 1,
            ])
        #expect(report.imagesCompressed == 1 && report.imagesCopied == 2)
        let items = try ItemTable.load(path: output + "/item_info.csv")
        #expect(items.ids == ["i1", "i2", "i3"])
        #expect(try items.column("title") == ["title 1", "title 2", "title 3"])
        #expect(try items.column("description").allSatisfy { $0 == "desc & more" })
        #expect(try items.column("image") == ["images/i1.jpg", "images/i2.png", "images/i3.jpg"])
        let compressed = try ImageCodec.decode(contentsOf: output + "/images/i3.jpg")
        #expect(compressed.width == 128 && compressed.height == 96)
        let (interactions, _) = try InteractionTable.load(path: output + "/interactions.csv")
        #expect(interactions.count == 6 && Set(interactions.itemIds.keys) == ["i1", "i2", "i3"])
        let scalers = try ScalerSet.load(from: output + "/scalers.json")
        #expect(scalers.scalers.first?.missing == 1 && scalers.scalers.first?.count == 2)

        // Resuming: everything already valid is kept, nothing recomputed.
        let again = try Preprocessor.run(inputDirectory: input, outputDirectory: output, options: options)
        #expect(again.imagesResumed == 3 && again.imagesCopied == 0 && again.imagesCompressed == 0)
        #expect(again.itemsKept == 3)
    }

    /// `data.processed_image_destination_folder`: images go where configured; the processed table names them
    /// relative to the output folder when inside it, else by absolute path.
    @Test func imageDestinationFolder() throws {
        let input = try Self.makeDataset()
        let output = temporaryDirectory("preprocess-dest")
        var options = PreprocessOptions()
        options.outputImagesDirectory = output + "/elsewhere/../pictures"
        try Preprocessor.run(inputDirectory: input, outputDirectory: output, options: options)
        #expect(try ItemTable.load(path: output + "/item_info.csv").column("image").first == "pictures/i1.jpg")
        #expect(FileManager.default.fileExists(atPath: output + "/pictures/i1.jpg"))
        #expect(!FileManager.default.fileExists(atPath: output + "/images"))

        let outside = temporaryDirectory("preprocess-dest-images")
        let output2 = temporaryDirectory("preprocess-dest2")
        options.outputImagesDirectory = outside
        try Preprocessor.run(inputDirectory: input, outputDirectory: output2, options: options)
        let column = try ItemTable.load(path: output2 + "/item_info.csv").column("image")
        #expect(column.first == URL(fileURLWithPath: outside).standardizedFileURL.path + "/i1.jpg")
        #expect(FileManager.default.fileExists(atPath: outside + "/i1.jpg"))
    }

    @Test func invalidNumbersAreErrorsOrMissing() throws {
        let input = try Self.makeDataset()
        let items = try String(contentsOfFile: input + "/item_info.csv", encoding: .utf8).replacingOccurrences(
            of: "300.0", with: "n/a")
        try items.write(toFile: input + "/item_info.csv", atomically: true, encoding: .utf8)
        var options = PreprocessOptions()
        options.numericColumns = ["views"]
        #expect(
            throws: DataError.invalidValue(
                path: input + "/item_info.csv", line: 4, column: 2, name: "views", value: "n/a", expected: "a number")
        ) {
            try Preprocessor.run(inputDirectory: input, outputDirectory: temporaryDirectory(), options: options)
        }
        options.invalidNumbers = .missing
        let report = try Preprocessor.run(
            inputDirectory: input, outputDirectory: temporaryDirectory(), options: options)
        #expect(report.numericMissing["views"] == 2)
    }

    @Test func ml100kPreprocess() throws {
        guard let directory = ml100kDirectory() else {
            print("skipping: ../shared/data/ml100k-pixel not found (set PIXELREC_SHARED)")
            return
        }
        var options = PreprocessOptions()
        options.numericColumns = ["release_year", "imdb_rating", "imdb_votes", "runtime_min"]
        options.scalerOverrides = ["imdb_votes": .log1pStandardization]
        let output = temporaryDirectory("ml100k-pre")
        let clock = Date()
        let report = try Preprocessor.run(inputDirectory: directory, outputDirectory: output, options: options)
        print(
            "ml100k preprocess: \(report.itemsKept)/\(report.itemsInput) items, \(report.interactionsKept) interactions, dropped \(report.droppedByReason), \(Date().timeIntervalSince(clock)) s"
        )
        #expect(report.itemsInput == 1682)
        #expect(report.droppedByReason["missing_image"] == 31)
        #expect(report.itemsKept + report.droppedByReason.values.reduce(0, +) == 1682)
    }
}
