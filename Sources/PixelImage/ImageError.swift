/// Why an image could not be decoded, encoded or resized.
///
/// Every case names the file (or `<memory>` for in-memory buffers) so the CLI can print one line.
public enum ImageError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The file is empty.
    case empty(path: String)
    /// The bytes are neither JPEG nor PNG; `detected` names what they look like (`gif`, `webp`, `unknown`).
    case unsupportedFormat(path: String, detected: String)
    /// A JPEG in a colour space we do not convert (CMYK, YCCK).
    case unsupportedColorSpace(path: String, colorSpace: String)
    /// The header declares more pixels than `limit`; rejected before any pixel buffer is allocated.
    case tooLarge(path: String, width: Int, height: Int, limit: Int)
    /// The decoder failed: corrupt or truncated data. `reason` is the library's message.
    case corrupt(path: String, reason: String)
    /// Encoding failed.
    case encodeFailed(path: String, reason: String)
    /// A parameter is out of range (a zero size, a quality outside 1…100).
    case invalidArgument(String)

    public var description: String {
        switch self {
        case let .empty(path): return "\(path): empty image file"
        case let .unsupportedFormat(path, detected):
            return "\(path): unsupported image format (\(detected)); expected JPEG or PNG"
        case let .unsupportedColorSpace(path, space):
            return "\(path): unsupported JPEG colour space \(space); convert to RGB"
        case let .tooLarge(path, width, height, limit):
            return "\(path): image header declares \(width)x\(height) pixels, above the limit of \(limit) pixels"
        case let .corrupt(path, reason): return "\(path): corrupt or truncated image: \(reason)"
        case let .encodeFailed(path, reason): return "\(path): cannot encode JPEG: \(reason)"
        case let .invalidArgument(what): return what
        }
    }
}
