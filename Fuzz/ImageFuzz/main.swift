// ImageFuzz: JPEG/PNG header reading, decoding (with EXIF orientation) and resizing over arbitrary bytes.
//
// With `-D FUZZING -sanitize=fuzzer,address` this is a libFuzzer target; in a normal build it is a
// replay tool: `ImageFuzz FILE|DIR ...` runs every given input through the same function, and
// `ImageFuzz --write-seeds DIR` writes a small seed corpus (JPEG, PNG, CMYK JPEG, EXIF-rotated JPEG).
import Foundation
import FuzzSupport
import PixelImage

/// Decodes `data` the way the pipeline does; errors are expected, crashes are bugs.
func fuzzImage(_ data: Data) {
    _ = try? ImageCodec.info(data, path: "<fuzz>")
    // A 4-megapixel cap keeps AddressSanitizer's memory in bounds; larger headers must be rejected.
    if let image = try? ImageCodec.decode(data, path: "<fuzz>", maxPixels: 4 << 20) {
        _ = image.downscaled(longestEdge: 16)
    }
}

#if FUZZING
    @_cdecl("ImageFuzz_main")
    public func imageFuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
        runLibFuzzer(argc, argv) { fuzzImage(Data($0)) }
    }
#else
    func writeSeeds(to directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var pixels = [UInt8](repeating: 0, count: 12 * 8 * 3)
        for k in 0..<pixels.count { pixels[k] = UInt8(truncatingIfNeeded: k &* 37) }
        let image = try Image(width: 12, height: 8, pixels: pixels)
        try ImageCodec.encodeJPEG(image, quality: 80).write(to: URL(fileURLWithPath: directory + "/small.jpg"))
        try ImageCodec.encodePNG(image).write(to: URL(fileURLWithPath: directory + "/small.png"))
        let cmyk = [UInt8](repeating: 90, count: 8 * 8 * 4)
        try ImageCodec.encodeCMYKJPEG(cmyk: cmyk, width: 8, height: 8).write(
            to: URL(fileURLWithPath: directory + "/cmyk.jpg"))
        // The same JPEG with an EXIF APP1 segment saying "rotate 90° clockwise" (orientation 6).
        var jpeg = [UInt8](try ImageCodec.encodeJPEG(image, quality: 80))
        let exif: [UInt8] = [
            0xFF, 0xE1, 0x00, 0x22, 0x45, 0x78, 0x69, 0x66, 0x00, 0x00, 0x4D, 0x4D, 0x00, 0x2A, 0x00, 0x00, 0x00, 0x08,
            0x00, 0x01, 0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        ]
        jpeg.insert(contentsOf: exif, at: 2)
        try Data(jpeg).write(to: URL(fileURLWithPath: directory + "/exif6.jpg"))
    }

    // Top-level statements would not parse under `-parse-as-library` even in this inactive branch, so the
    // replay runs from a global's initializer (globals in main.swift initialise in order).
    /// `ImageFuzz --write-seeds DIR` writes the seed corpus; anything else replays inputs.
    func replayMain() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if arguments.first == "--write-seeds", arguments.count == 2 {
            do { try writeSeeds(to: arguments[1]) } catch {
                print("ImageFuzz: \(error)")
                exit(1)
            }
            print("ImageFuzz: wrote seeds to \(arguments[1])")
            exit(0)
        }
        replayFuzzInputs(tool: "ImageFuzz", arguments: arguments) {
            fuzzImage(Data($0))
            return nil
        }
    }

    // A global's initializer, not a statement: top-level statements do not parse under -parse-as-library.
    let replayed: Void = replayMain()
#endif
