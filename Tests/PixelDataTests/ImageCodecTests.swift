import Foundation
import PixelImage
import Testing

@testable import PixelData

@Suite("Image decode, encode and resize")
struct ImageCodecTests {
    static func gradient(width: Int, height: Int) -> Image {
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                let o = (y * width + x) * 3
                pixels[o] = UInt8(x * 255 / max(1, width - 1))
                pixels[o + 1] = UInt8(y * 255 / max(1, height - 1))
                pixels[o + 2] = 128
            }
        }
        return try! Image(width: width, height: height, pixels: pixels)
    }

    @Test func jpegRoundTripIsClose() throws {
        let image = Self.gradient(width: 64, height: 48)
        let decoded = try ImageCodec.decode(try ImageCodec.encodeJPEG(image, quality: 95))
        #expect(decoded.width == 64 && decoded.height == 48)
        let error = zip(image.pixels, decoded.pixels).map { abs(Int($0) - Int($1)) }.reduce(0, +)
        // Quality 95 on a smooth gradient: mean absolute error below 2 levels.
        #expect(Double(error) / Double(image.pixels.count) < 2)
    }

    @Test func pngRoundTripIsExact() throws {
        let image = Self.gradient(width: 17, height: 5)
        #expect(try ImageCodec.decode(try ImageCodec.encodePNG(image)) == image)
    }

    @Test func greyPaletteAndAlphaPNGsBecomeRGB() throws {
        let grey = PNGBuilder.png(width: 2, height: 1, colorType: 0, rows: [[10, 200]])
        #expect(try ImageCodec.decode(Data(grey)).pixels == [10, 10, 10, 200, 200, 200])
        let palette = PNGBuilder.png(
            width: 2, height: 1, colorType: 3, rows: [[1, 0]], palette: [255, 0, 0, 0, 0, 255])
        #expect(try ImageCodec.decode(Data(palette)).pixels == [0, 0, 255, 255, 0, 0])
        // RGBA: opaque red, fully transparent green → composited on white.
        let rgba = PNGBuilder.png(width: 2, height: 1, colorType: 6, rows: [[255, 0, 0, 255, 0, 255, 0, 0]])
        #expect(try ImageCodec.decode(Data(rgba)).pixels == [255, 0, 0, 255, 255, 255])
    }

    @Test func hugeDimensionPNGHeaderIsRejectedBeforeAllocation() {
        let huge = PNGBuilder.png(width: 100_000, height: 100_000, colorType: 2, rows: [[0, 0, 0]])
        #expect(
            throws: ImageError.tooLarge(
                path: "huge.png", width: 100_000, height: 100_000, limit: ImageCodec.defaultMaxPixels)
        ) {
            try ImageCodec.decode(Data(huge), path: "huge.png")
        }
    }

    @Test func cmykJPEGIsAClearError() throws {
        let cmyk = try ImageCodec.encodeCMYKJPEG(cmyk: [UInt8](repeating: 40, count: 8 * 8 * 4), width: 8, height: 8)
        // TurboJPEG writes CMYK input as an Adobe YCCK JPEG; both are CMYK-family and rejected.
        #expect(["cmyk", "ycck"].contains(try ImageCodec.info(cmyk).colorSpace))
        do {
            _ = try ImageCodec.decode(cmyk, path: "c.jpg")
            Issue.record("CMYK JPEG decoded")
        } catch let ImageError.unsupportedColorSpace(path, space) {
            #expect(path == "c.jpg" && ["CMYK", "YCCK"].contains(space))
        }
    }

    @Test func brokenInputsAreClearErrors() throws {
        let jpeg = try ImageCodec.encodeJPEG(Self.gradient(width: 32, height: 32))
        let png = try ImageCodec.encodePNG(Self.gradient(width: 32, height: 32))
        #expect(throws: ImageError.empty(path: "z.jpg")) { try ImageCodec.decode(Data(), path: "z.jpg") }
        for truncated in [jpeg.prefix(jpeg.count / 2), png.prefix(png.count / 2), jpeg.prefix(4)] {
            do {
                _ = try ImageCodec.decode(Data(truncated), path: "t")
                Issue.record("truncated image decoded")
            } catch let error as ImageError {
                guard case .corrupt = error else { Issue.record("unexpected \(error)"); continue }
            }
        }
        var corrupt = [UInt8](png)
        corrupt[40] ^= 0xFF  // inside IHDR/IDAT: CRC mismatch
        #expect(throws: ImageError.self) { try ImageCodec.decode(Data(corrupt)) }
        #expect(throws: ImageError.unsupportedFormat(path: "g.gif", detected: "gif")) {
            try ImageCodec.decode(Data("GIF89a....".utf8), path: "g.gif")
        }
    }

    @Test func exifOrientationSixRotatesClockwise() throws {
        let image = Self.gradient(width: 12, height: 8)
        var jpeg = [UInt8](try ImageCodec.encodeJPEG(image, quality: 100))
        let exif: [UInt8] = [
            0xFF, 0xE1, 0x00, 0x22, 0x45, 0x78, 0x69, 0x66, 0x00, 0x00, 0x4D, 0x4D, 0x00, 0x2A, 0x00, 0x00, 0x00, 0x08,
            0x00, 0x01, 0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        ]
        jpeg.insert(contentsOf: exif, at: 2)
        let plain = try ImageCodec.decode(try ImageCodec.encodeJPEG(image, quality: 100))
        let rotated = try ImageCodec.decode(Data(jpeg))
        #expect(rotated.width == 8 && rotated.height == 12)
        // Rotating 90° clockwise: displayed (x, y) comes from stored (y, h − 1 − x).
        for (x, y) in [(0, 0), (7, 0), (3, 11), (7, 11)] {
            let d = (y * 8 + x) * 3, s = ((8 - 1 - x) * 12 + y) * 3
            #expect(Array(rotated.pixels[d..<d + 3]) == Array(plain.pixels[s..<s + 3]))
        }
    }

    @Test func areaDownscaleAveragesBlocks() throws {
        // 4×2 → 2×1: each output pixel is the mean of a 2×2 block.
        let pixels: [UInt8] = [
            0, 0, 0, 100, 100, 100, 10, 20, 30, 30, 40, 50, 200, 200, 200, 100, 100, 100, 50, 60, 70, 70, 80, 90,
        ]
        let image = try Image(width: 4, height: 2, pixels: pixels)
        let small = image.resized(width: 2, height: 1)
        #expect(small.pixels == [100, 100, 100, 40, 50, 60])
        let longest = Self.gradient(width: 300, height: 150).downscaled(longestEdge: 100)
        #expect(longest.width == 100 && longest.height == 50)
    }
}

@Suite("Image crops and tensors")
struct ImageTensorTests {
    @Test func cropAndCenterCrop() throws {
        let image = ImageCodecTests.gradient(width: 10, height: 6)
        let crop = try image.cropped(x: 2, y: 1, width: 3, height: 2)
        #expect(crop.width == 3 && crop.height == 2)
        #expect(Array(crop.pixels[0..<3]) == Array(image.pixels[((1 * 10) + 2) * 3..<((1 * 10) + 2) * 3 + 3]))
        #expect(throws: ImageError.self) { try image.cropped(x: 8, y: 0, width: 3, height: 1) }
        let center = image.centerCropped(width: 4, height: 4)
        #expect(center == (try image.cropped(x: 3, y: 1, width: 4, height: 4)))
        let shorter = image.resized(shorterEdge: 3)
        #expect(shorter.width == 5 && shorter.height == 3)
    }

    @Test func planarFloatsNormalize() throws {
        let image = try Image(width: 2, height: 1, pixels: [255, 0, 51, 0, 255, 102])
        let values = image.planarFloats(mean: (0.5, 0.5, 0.5), std: (0.5, 0.5, 0.5))
        // (byte/255 − 0.5)/0.5: R plane [1, −1], G plane [−1, 1], B plane [−0.6, −0.2].
        let expected: [Float] = [1, -1, -1, 1, -0.6, -0.2]
        for (got, want) in zip(values, expected) { #expect(abs(got - want) < 1e-6) }
    }
}
