import Foundation
import PixelImage

/// Turns decoded images into model input: resize (Pillow-exact filters), centre crop, rescale and
/// normalize per channel, channel-planar layout.
///
/// `pixel[c, y, x] = (byte · rescale − mean[c]) / std[c]`, batch layout `NCHW` `[n, 3, cropHeight, cropWidth]`.
/// Matches Hugging Face image processors (`CLIPImageProcessor`, `ViTImageProcessor`, …) and the OpenAI
/// CLIP / torchvision pipelines on the same decoded pixels.
public struct ImagePreprocessor: Sendable, Equatable {
    /// The resize step.
    public enum Resize: Sendable, Equatable {
        /// Keep the decoded size.
        case none
        /// Shorter edge to `n`, longer edge `Int(n · long / short)`.
        case shortestEdge(Int)
        /// Exactly `width × height` (aspect ratio not kept).
        case exact(width: Int, height: Int)
    }

    public var resize: Resize
    public var filter: ResampleFilter
    /// Centre crop size; `nil` keeps the resized image.
    public var cropWidth: Int?
    public var cropHeight: Int?
    public var rescale: Double
    public var mean: [Double]
    public var std: [Double]

    public init(
        resize: Resize, filter: ResampleFilter = .bicubic, crop: (width: Int, height: Int)?,
        rescale: Double = 1.0 / 255,
        mean: [Double], std: [Double]
    ) {
        self.resize = resize
        self.filter = filter
        self.cropWidth = crop?.width
        self.cropHeight = crop?.height
        self.rescale = rescale
        self.mean = mean.count == 3 ? mean : [0, 0, 0]
        self.std = std.count == 3 && !std.contains(0) ? std : [1, 1, 1]
    }

    /// OpenAI CLIP: shortest edge 224 bicubic, crop 224, mean `(0.48145466, 0.4578275, 0.40821073)`,
    /// std `(0.26862954, 0.26130258, 0.27577711)`.
    public static func clip(size: Int = 224) -> ImagePreprocessor {
        ImagePreprocessor(
            resize: .shortestEdge(size), filter: .bicubic, crop: (size, size),
            mean: [0.48145466, 0.4578275, 0.40821073], std: [0.26862954, 0.26130258, 0.27577711])
    }

    /// ImageNet CNN/ViT convention: shortest edge `resize` (bilinear unless given), crop `size`,
    /// mean `(0.485, 0.456, 0.406)`, std `(0.229, 0.224, 0.225)`.
    public static func imagenet(size: Int = 224, resize: Int? = nil, filter: ResampleFilter = .bilinear)
        -> ImagePreprocessor
    {
        ImagePreprocessor(
            resize: .shortestEdge(resize ?? size), filter: filter, crop: (size, size), mean: [0.485, 0.456, 0.406],
            std: [0.229, 0.224, 0.225])
    }

    /// Output `(height, width)` for an image of the given size.
    public func outputSize(width: Int, height: Int) -> (height: Int, width: Int) {
        if let cropWidth, let cropHeight { return (cropHeight, cropWidth) }
        let resized = resizedSize(width: width, height: height)
        return (resized.height, resized.width)
    }

    /// Resized and cropped 8-bit image (before normalization).
    public func prepared(_ image: Image) -> Image {
        // Resize and crop fused: only the crop window is resampled (same pixels as resize, then crop).
        if let cropWidth, let cropHeight, resize != .none {
            let size = resizedSize(width: image.width, height: image.height)
            if cropWidth <= size.width && cropHeight <= size.height {
                return image.resampled(
                    width: size.width, height: size.height, filter: filter,
                    window: ((size.width - cropWidth) >> 1, (size.height - cropHeight) >> 1, cropWidth, cropHeight))
            }
        }
        var current = image
        switch resize {
        case .none: break
        case let .shortestEdge(edge): current = current.resampled(shorterEdge: edge, filter: filter)
        case let .exact(width, height): current = current.resampled(width: width, height: height, filter: filter)
        }
        if let cropWidth, let cropHeight {
            current = current.centerCroppedOrPadded(width: cropWidth, height: cropHeight)
        }
        return current
    }

    /// `[3, h, w]` normalized floats of `image` (resize → crop → normalize).
    public func pixelValues(_ image: Image) -> [Float] {
        let ready = prepared(image)
        var out = [Float](repeating: 0, count: 3 * ready.width * ready.height)
        out.withUnsafeMutableBufferPointer { write(prepared: ready, into: $0) }
        return out
    }

    /// Writes the normalized `[3, h, w]` planes of an already prepared image into `target`
    /// (`target.count ≥ 3·w·h`). Uses a 256-entry table per channel computed in `Double`.
    public func write(prepared image: Image, into target: UnsafeMutableBufferPointer<Float>) {
        let plane = image.width * image.height
        precondition(target.count >= 3 * plane, "target buffer too small")
        let table = normalizationTable
        image.pixels.withUnsafeBufferPointer { source in
            table.withUnsafeBufferPointer { lut in
                for p in 0..<plane {
                    target[p] = lut[Int(source[3 * p])]
                    target[plane + p] = lut[256 + Int(source[3 * p + 1])]
                    target[2 * plane + p] = lut[512 + Int(source[3 * p + 2])]
                }
            }
        }
    }

    /// `lut[256·c + b] = Float((Double(Float(b)·rescale) − mean[c]) / std[c])`.
    var normalizationTable: [Float] {
        var table = [Float](repeating: 0, count: 768)
        for c in 0..<3 {
            for b in 0..<256 {
                let scaled = Double(Float(Double(b) * rescale))
                table[256 * c + b] = Float((scaled - mean[c]) / std[c])
            }
        }
        return table
    }

    private func resizedSize(width: Int, height: Int) -> (width: Int, height: Int) {
        switch resize {
        case .none: return (width, height)
        case let .exact(w, h): return (w, h)
        case let .shortestEdge(edge):
            if width <= height { return (edge, max(1, Int(Double(edge) * Double(height) / Double(width)))) }
            return (max(1, Int(Double(edge) * Double(width) / Double(height))), edge)
        }
    }
}
