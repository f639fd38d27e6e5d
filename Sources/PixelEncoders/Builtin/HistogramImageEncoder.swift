import Foundation
import PixelImage

/// The built-in image encoder (no weights): colour and texture histograms of the image.
///
/// The image is resized (shortest edge 64, bilinear with antialias) and centre-cropped to 64×64, then:
/// - HSV joint colour histogram, 8 hue × 4 saturation × 4 value bins (128);
/// - gradient orientation histograms (central differences on luma, 8 unsigned orientations weighted by
///   magnitude) in 2×2 spatial cells (32);
/// - luma histogram, 16 bins (16);
/// - mean RGB of each 2×2 cell, in [0, 1] (12);
/// - luma mean and standard deviation, mean gradient magnitude, colourfulness (Hasler–Süsstrunk) (4).
///
/// Histograms are L1-normalised then square-rooted (Hellinger), and the 192-d vector is L2-normalised,
/// so cosine similarity compares images. Deterministic; ≈ 0.1 ms per image after decoding.
public struct HistogramImageEncoder: ImageEncoder {
    public static let side = 64
    public static let dimension = 192
    public let identity: EncoderIdentity

    public init(name: String = "builtin") {
        identity = EncoderIdentity(
            name: name, modality: .image, dimension: Self.dimension, modelHash: "histogram-v1-64px-192d")
    }

    public var preparedCount: Int { Self.dimension }
    public var allowsConcurrentBatches: Bool { true }

    public func encode(prepared: [Float], count: Int) throws -> [Float] {
        guard prepared.count == count * Self.dimension else {
            throw EncoderError.invalidArgument("builtin image encoder: \(prepared.count) floats for \(count) images")
        }
        return prepared
    }

    public func prepare(_ image: Image) -> [Float] {
        let side = Self.side
        let small = image.resampled(shorterEdge: side, filter: .bilinear).centerCroppedOrPadded(
            width: side, height: side)
        var colour = [Float](repeating: 0, count: 128)
        var orientation = [Float](repeating: 0, count: 32)
        var lumaHistogram = [Float](repeating: 0, count: 16)
        var cellMeans = [Float](repeating: 0, count: 12)
        var luma = [Float](repeating: 0, count: side * side)
        var lumaSum: Float = 0, lumaSquares: Float = 0
        var rgSum: Float = 0, rgSquares: Float = 0, ybSum: Float = 0, ybSquares: Float = 0
        small.pixels.withUnsafeBufferPointer { px in
            for y in 0..<side {
                for x in 0..<side {
                    let p = (y * side + x) * 3
                    let r = Float(px[p]) / 255, g = Float(px[p + 1]) / 255, b = Float(px[p + 2]) / 255
                    let maxC = max(r, g, b), minC = min(r, g, b), delta = maxC - minC
                    var hue: Float = 0
                    if delta > 0 {
                        if maxC == r {
                            hue = (g - b) / delta
                            if hue < 0 { hue += 6 }
                        } else if maxC == g {
                            hue = (b - r) / delta + 2
                        } else {
                            hue = (r - g) / delta + 4
                        }
                    }
                    let saturation = maxC > 0 ? delta / maxC : 0
                    let hBin = min(7, Int(hue / 6 * 8)), sBin = min(3, Int(saturation * 4)),
                        vBin = min(3, Int(maxC * 4))
                    colour[(hBin * 4 + sBin) * 4 + vBin] += 1
                    let l = 0.299 * r + 0.587 * g + 0.114 * b
                    luma[y * side + x] = l
                    lumaHistogram[min(15, Int(l * 16))] += 1
                    lumaSum += l
                    lumaSquares += l * l
                    let cell = (y < side / 2 ? 0 : 2) + (x < side / 2 ? 0 : 1)
                    cellMeans[cell * 3] += r
                    cellMeans[cell * 3 + 1] += g
                    cellMeans[cell * 3 + 2] += b
                    let rg = r - g, yb = 0.5 * (r + g) - b
                    rgSum += rg
                    rgSquares += rg * rg
                    ybSum += yb
                    ybSquares += yb * yb
                }
            }
        }
        var magnitudeSum: Float = 0
        for y in 1..<(side - 1) {
            for x in 1..<(side - 1) {
                let gx = luma[y * side + x + 1] - luma[y * side + x - 1]
                let gy = luma[(y + 1) * side + x] - luma[(y - 1) * side + x]
                let magnitude = (gx * gx + gy * gy).squareRoot()
                magnitudeSum += magnitude
                if magnitude == 0 { continue }
                var angle = atan2(gy, gx)
                if angle < 0 { angle += .pi }
                let bin = min(7, Int(angle / .pi * 8))
                let cell = (y < side / 2 ? 0 : 2) + (x < side / 2 ? 0 : 1)
                orientation[cell * 8 + bin] += magnitude
            }
        }
        let n = Float(side * side)
        let lumaMean = lumaSum / n
        let lumaStd = max(0, lumaSquares / n - lumaMean * lumaMean).squareRoot()
        let rgMean = rgSum / n, ybMean = ybSum / n
        let rgStd = max(0, rgSquares / n - rgMean * rgMean).squareRoot()
        let ybStd = max(0, ybSquares / n - ybMean * ybMean).squareRoot()
        let colourfulness =
            (rgStd * rgStd + ybStd * ybStd).squareRoot() + 0.3 * (rgMean * rgMean + ybMean * ybMean).squareRoot()
        for k in 0..<12 { cellMeans[k] /= n / 4 }
        var feature: [Float] = []
        feature.reserveCapacity(Self.dimension)
        feature += Self.hellinger(colour)
        feature += Self.hellinger(orientation)
        feature += Self.hellinger(lumaHistogram)
        feature += cellMeans.map { $0 * 0.5 }
        feature += [lumaMean, lumaStd, magnitudeSum / Float((side - 2) * (side - 2)), colourfulness]
        Pooling.l2Normalize(&feature, dimension: Self.dimension)
        return feature
    }

    /// `sqrt(h / Σh)`.
    static func hellinger(_ histogram: [Float]) -> [Float] {
        let total = histogram.reduce(0, +)
        guard total > 0 else { return histogram }
        return histogram.map { ($0 / total).squareRoot() }
    }
}
