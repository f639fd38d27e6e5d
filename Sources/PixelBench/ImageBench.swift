import Foundation
import PixelEncoders
import PixelImage

/// PixelBench subcommands of image preprocessing (bench/cases/image-preprocess.sh).
///
/// - `image-preprocess DIR [repeats] [limit]`: decode (libturbojpeg/libpng, EXIF orientation) + CLIP
///   preprocessing (bicubic shortest edge 224, centre crop 224, normalize, CHW) of every `.jpg`/`.png`
///   in DIR on one thread; prints the best images/s of `repeats` passes as JSON.
enum ImageBench {
    static let commands = ["image-preprocess"]

    static func run(_ command: String, _ arguments: [String]) throws {
        let directory = arguments.first ?? "."
        let repeats = arguments.count > 1 ? Int(arguments[1]) ?? 3 : 3
        let limit = arguments.count > 2 ? Int(arguments[2]) ?? Int.max : Int.max
        let files = try FileManager.default.contentsOfDirectory(atPath: directory)
            .filter { $0.hasSuffix(".jpg") || $0.hasSuffix(".jpeg") || $0.hasSuffix(".png") }.sorted().prefix(limit)
            .map { directory + "/" + $0 }
        let preprocessor = ImagePreprocessor.clip()
        var buffer = [Float](repeating: 0, count: 3 * 224 * 224)
        var best = Double.infinity
        var checksum: Double = 0
        for _ in 0..<max(1, repeats) {
            let clock = Date()
            checksum = 0
            for path in files {
                let image = try ImageCodec.decode(contentsOf: path)
                let prepared = preprocessor.prepared(image)
                buffer.withUnsafeMutableBufferPointer { preprocessor.write(prepared: prepared, into: $0) }
                checksum += Double(buffer[0])
            }
            best = min(best, Date().timeIntervalSince(clock))
        }
        print(
            "{\"images\": \(files.count), \"seconds\": \(String(format: "%.4f", best)), "
                + "\"images_per_second\": \(String(format: "%.1f", Double(files.count) / best)), \"checksum\": \(String(format: "%.3f", checksum))}"
        )
    }
}
