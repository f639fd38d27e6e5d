import Foundation
import PixelImage
import Testing

@testable import PixelData

/// Every kind of bad input gives a one-line error naming the file (and line/column where there is one),
/// or a reported skip, never a crash, and never a half-written output.
@Suite("Bad input")
struct BadInputTests {
    static let header = "item_id,user_id,timestamp\n"

    /// (name, file content, expected message fragment)
    static let csvCases: [(String, [UInt8], String)] = [
        ("unbalanced quote", Array((header + "i1,u1,1\ni2,\"u2,2\n").utf8), ":3:2: unbalanced quote"),
        ("stray quote", Array((header + "i1,\"u1\"x,1\n").utf8), ":2:2: unexpected character after closing quote"),
        ("too few fields", Array((header + "i1,u1\n").utf8), ":2:3: expected 3 fields, found 2"),
        ("too many fields", Array((header + "i1,u1,1,extra\n").utf8), ":2:4: expected 3 fields, found 4"),
        (
            "invalid UTF-8", Array(header.utf8) + [0x69, 0x31, 0x2C, 0xC3, 0x28, 0x2C, 0x31, 0x0A],
            ":2:2: invalid UTF-8"
        ),
        ("missing column", Array("item_id,user_id,time\ni1,u1,1\n".utf8), ":1: missing column 'timestamp'"),
        (
            "non-numeric timestamp", Array((header + "i1,u1,1\ni1,u2,12:30\n").utf8),
            ":3:3: column 'timestamp': '12:30' is not a numeric timestamp"
        ),
        ("empty id", Array((header + ",u1,1\n").utf8), ":2:1: column 'item_id'"),
        ("empty file", [], ": empty file"),
        ("only a BOM", [0xEF, 0xBB, 0xBF], ": empty file"),
        ("duplicate row", Array((header + "i1,u1,1\ni1,u1,1\n").utf8), ":3: duplicate row (same as line 2)"),
    ]

    @Test(arguments: csvCases.indices)
    func malformedInteractions(index: Int) throws {
        let (name, bytes, fragment) = Self.csvCases[index]
        let path = temporaryFile(bytes: bytes, name: "bad.csv")
        do {
            _ = try InteractionTable.load(path: path, options: InteractionLoadOptions(duplicates: .error))
            Issue.record("\(name): loaded without error")
        } catch let error as DataError {
            let message = error.description
            #expect(message.hasPrefix(path), "\(name): \(message)")
            #expect(message.contains(fragment), "\(name): \(message)")
            #expect(!message.contains("\n"), "\(name): one line")
        }
    }

    @Test func failedSplitLeavesEarlierOutputsIntact() throws {
        let table = makeTable(users: 20, perUser: { 5 + $0 }, items: 30)
        let directory = temporaryDirectory()
        try Splitter.run(table, options: SplitOptions(strategy: .leaveOneOut), outputDirectory: directory)
        let before = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        let train = FileManager.default.contents(atPath: directory + "/train.csv")
        #expect(throws: DataError.self) {
            try Splitter.run(
                table, options: SplitOptions(strategy: .stratified, trainRatio: 2), outputDirectory: directory)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).sorted() == before)
        #expect(FileManager.default.contents(atPath: directory + "/train.csv") == train)
    }

    @Test func failedPreprocessWritesNothing() throws {
        let input = try PreprocessTests.makeDataset()
        let output = temporaryDirectory("failed-pre")
        var options = PreprocessOptions()
        options.textColumns = ["title", "no_such_column"]
        #expect(
            throws: DataError.missingColumn(
                path: input + "/item_info.csv", column: "no_such_column",
                available: ["item_id", "views", "title", "tag", "description"])
        ) {
            try Preprocessor.run(inputDirectory: input, outputDirectory: output, options: options)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: output).isEmpty)
    }

    @Test func badImagesAreReportedSkipsNotCrashes() throws {
        // Every broken image kind from the preprocessing fixture gets its own reason (see PreprocessTests).
        let input = try PreprocessTests.makeDataset()
        let report = try Preprocessor.run(inputDirectory: input, outputDirectory: temporaryDirectory("bad-images"))
        for reason in [
            "empty_image", "corrupt_image", "unsupported_colorspace", "too_large", "too_small", "unsupported_extension",
            "missing_image",
        ] {
            #expect(report.droppedByReason[reason] == 1, "\(reason)")
            #expect(report.examples[reason]?.first?.contains("\n") == false)
        }
    }

    /// Truncations of a valid JPEG and PNG at many lengths, and single-byte corruptions, never crash.
    @Test func truncatedAndFlippedImagesNeverCrash() throws {
        let image = ImageCodecTests.gradient(width: 24, height: 16)
        for encoded in [try ImageCodec.encodeJPEG(image), try ImageCodec.encodePNG(image)] {
            let bytes = [UInt8](encoded)
            for length in stride(from: 0, to: bytes.count, by: max(1, bytes.count / 60)) {
                _ = try? ImageCodec.decode(Data(bytes.prefix(length)))
            }
            var rng = SeededGenerator(seed: 4)
            for _ in 0..<200 {
                var copy = bytes
                copy[rng.below(copy.count)] ^= UInt8(1 + rng.below(255))
                _ = try? ImageCodec.decode(Data(copy))
            }
        }
    }

    /// Inputs libFuzzer found interesting are replayed here (Fuzz/*/Seeds, including any kept crashers).
    @Test func fuzzCorporaReplay() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
        var replayed = 0
        for directory in ["Fuzz/CSVFuzz/Seeds", "Fuzz/ImageFuzz/Seeds"] {
            let path = root + "/" + directory
            for name in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] {
                let data = try Data(contentsOf: URL(fileURLWithPath: path + "/" + name))
                if directory.contains("CSV") {
                    if let reader = try? CSVReader(data: data) {
                        _ = try? InteractionTable.load(reader: reader)
                        _ = try? ItemTable.load(reader: reader)
                    }
                } else {
                    _ = try? ImageCodec.decode(data, maxPixels: 4 << 20)
                }
                replayed += 1
            }
        }
        #expect(replayed >= 8)
    }
}
