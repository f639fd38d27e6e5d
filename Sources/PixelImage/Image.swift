/// An 8-bit RGB raster in row-major interleaved order.
///
/// `pixels.count == width * height * 3`; the byte of channel `c` at `(x, y)` is
/// `pixels[(y * width + x) * 3 + c]`.
public struct Image: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// Interleaved RGB bytes, `width * height * 3` of them.
    public var pixels: [UInt8]

    /// Wraps existing RGB bytes.
    /// - Throws: `ImageError.invalidArgument` when the size does not match `width * height * 3`.
    public init(width: Int, height: Int, pixels: [UInt8]) throws {
        guard width > 0, height > 0, pixels.count == width * height * 3 else {
            throw ImageError.invalidArgument("image: \(pixels.count) bytes do not make a \(width)x\(height) RGB image")
        }
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// A `width × height` image filled with one colour.
    public init(width: Int, height: Int, fill: (UInt8, UInt8, UInt8) = (0, 0, 0)) {
        self.width = max(1, width)
        self.height = max(1, height)
        var pixels = [UInt8](repeating: 0, count: self.width * self.height * 3)
        pixels.withUnsafeMutableBufferPointer { buffer in
            var index = 0
            while index < buffer.count {
                buffer[index] = fill.0
                buffer[index + 1] = fill.1
                buffer[index + 2] = fill.2
                index += 3
            }
        }
        self.pixels = pixels
    }

    /// The longer of width and height.
    public var longestEdge: Int { max(width, height) }
}

/// What an encoded image's header says, read without decoding pixels.
public struct ImageInfo: Sendable, Equatable {
    public enum Format: String, Sendable { case jpeg, png }
    public let format: Format
    public let width: Int
    public let height: Int
    /// `rgb`, `gray`, `ycbcr`, `cmyk`, `ycck`, `palette`, `rgba`, `gray+alpha`.
    public let colorSpace: String
}
