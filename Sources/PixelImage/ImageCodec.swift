import CPNG
import CTurboJPEG
import Foundation

/// Decodes JPEG and PNG bytes into RGB `Image`s and encodes JPEG.
///
/// JPEG goes through TurboJPEG (`tjDecompress2` into `TJPF_RGB`), PNG through libpng's simplified API
/// (`png_image_finish_read` into `PNG_FORMAT_RGB`; grey, palette and 16-bit inputs are converted, alpha is
/// composited onto white). The header is read first, and images above `maxPixels` are rejected before the
/// pixel buffer is allocated. JPEG EXIF orientation (tag 0x0112) is applied so that the result is upright.
/// Decoding is thread-safe: each call uses its own library handle.
public enum ImageCodec {
    /// Default cap on `width * height` (64 megapixels, about 192 MB of RGB).
    public static let defaultMaxPixels = 64 * 1024 * 1024

    /// Recognises the container from the first bytes.
    public static func sniff(_ bytes: UnsafeRawBufferPointer) -> String {
        func starts(_ prefix: [UInt8]) -> Bool {
            bytes.count >= prefix.count && zip(bytes.prefix(prefix.count), prefix).allSatisfy { $0 == $1 }
        }
        if starts([0xFF, 0xD8, 0xFF]) { return "jpeg" }
        if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return "png" }
        if starts(Array("GIF8".utf8)) { return "gif" }
        if starts(Array("RIFF".utf8)), bytes.count >= 12, bytes[8] == 0x57, bytes[9] == 0x45 { return "webp" }
        if starts(Array("BM".utf8)) { return "bmp" }
        if starts([0x49, 0x49, 0x2A, 0x00]) || starts([0x4D, 0x4D, 0x00, 0x2A]) { return "tiff" }
        return "unknown"
    }

    /// Reads a file and decodes it.
    /// - Throws: `ImageError` (empty, unsupported, corrupt, too large) or `ImageError.corrupt` when unreadable.
    public static func decode(contentsOf path: String, maxPixels: Int = defaultMaxPixels) throws -> Image {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ImageError.corrupt(path: path, reason: "cannot read file")
        }
        return try decode(data, path: path, maxPixels: maxPixels)
    }

    /// Decodes JPEG or PNG bytes to RGB.
    /// - Parameters:
    ///   - data: the encoded bytes.
    ///   - path: the name used in errors.
    ///   - maxPixels: images whose header declares more pixels are rejected before allocation.
    public static func decode(_ data: Data, path: String = "<memory>", maxPixels: Int = defaultMaxPixels) throws
        -> Image
    {
        guard !data.isEmpty else { throw ImageError.empty(path: path) }
        return try data.withUnsafeBytes { raw -> Image in
            switch sniff(raw) {
            case "jpeg": return try decodeJPEG(raw, path: path, maxPixels: maxPixels)
            case "png": return try decodePNG(raw, path: path, maxPixels: maxPixels)
            case let other: throw ImageError.unsupportedFormat(path: path, detected: other)
            }
        }
    }

    /// Reads only the header: format, size and colour space.
    public static func info(_ data: Data, path: String = "<memory>") throws -> ImageInfo {
        guard !data.isEmpty else { throw ImageError.empty(path: path) }
        return try data.withUnsafeBytes { raw -> ImageInfo in
            switch sniff(raw) {
            case "jpeg":
                let header = try jpegHeader(raw, path: path)
                return ImageInfo(format: .jpeg, width: header.width, height: header.height, colorSpace: header.space)
            case "png":
                var image = png_image()
                image.version = UInt32(PNG_IMAGE_VERSION)
                defer { png_image_free(&image) }
                guard png_image_begin_read_from_memory(&image, raw.baseAddress, raw.count) != 0 else {
                    throw ImageError.corrupt(path: path, reason: pngMessage(&image))
                }
                let format = image.format
                let space: String
                if format & UInt32(PNG_FORMAT_FLAG_COLORMAP) != 0 {
                    space = "palette"
                } else if format & UInt32(PNG_FORMAT_FLAG_COLOR) != 0 {
                    space = format & UInt32(PNG_FORMAT_FLAG_ALPHA) != 0 ? "rgba" : "rgb"
                } else {
                    space = format & UInt32(PNG_FORMAT_FLAG_ALPHA) != 0 ? "gray+alpha" : "gray"
                }
                return ImageInfo(format: .png, width: Int(image.width), height: Int(image.height), colorSpace: space)
            case let other:
                throw ImageError.unsupportedFormat(path: path, detected: other)
            }
        }
    }

    // MARK: JPEG

    struct JPEGHeader {
        var width: Int
        var height: Int
        var space: String
    }

    static func jpegHeader(_ raw: UnsafeRawBufferPointer, path: String) throws -> JPEGHeader {
        guard let handle = tjInitDecompress() else {
            throw ImageError.corrupt(path: path, reason: "cannot start TurboJPEG")
        }
        defer { tjDestroy(handle) }
        return try jpegHeader(handle, raw, path: path)
    }

    static func jpegHeader(_ handle: tjhandle, _ raw: UnsafeRawBufferPointer, path: String) throws -> JPEGHeader {
        guard let base = raw.baseAddress?.assumingMemoryBound(to: UInt8.self) else {
            throw ImageError.empty(path: path)
        }
        var width: Int32 = 0, height: Int32 = 0, subsampling: Int32 = 0, colorspace: Int32 = 0
        guard tjDecompressHeader3(handle, base, UInt(raw.count), &width, &height, &subsampling, &colorspace) == 0 else {
            throw ImageError.corrupt(path: path, reason: tjMessage(handle))
        }
        let space: String
        switch colorspace {
        case Int32(TJCS_RGB.rawValue): space = "rgb"
        case Int32(TJCS_YCbCr.rawValue): space = "ycbcr"
        case Int32(TJCS_GRAY.rawValue): space = "gray"
        case Int32(TJCS_CMYK.rawValue): space = "cmyk"
        case Int32(TJCS_YCCK.rawValue): space = "ycck"
        default: space = "unknown"
        }
        return JPEGHeader(width: Int(width), height: Int(height), space: space)
    }

    static func tjMessage(_ handle: tjhandle?) -> String {
        guard let message = tjGetErrorStr2(handle) else { return "unknown TurboJPEG error" }
        return String(cString: message)
    }

    static func decodeJPEG(_ raw: UnsafeRawBufferPointer, path: String, maxPixels: Int) throws -> Image {
        guard let handle = tjInitDecompress() else {
            throw ImageError.corrupt(path: path, reason: "cannot start TurboJPEG")
        }
        defer { tjDestroy(handle) }
        let header = try jpegHeader(handle, raw, path: path)
        if header.space == "cmyk" || header.space == "ycck" {
            throw ImageError.unsupportedColorSpace(path: path, colorSpace: header.space.uppercased())
        }
        guard header.width > 0, header.height > 0 else {
            throw ImageError.corrupt(path: path, reason: "zero image size in header")
        }
        guard header.width.multipliedReportingOverflow(by: header.height).partialValue <= maxPixels,
            header.width <= maxPixels, header.height <= maxPixels
        else {
            throw ImageError.tooLarge(path: path, width: header.width, height: header.height, limit: maxPixels)
        }
        var pixels = [UInt8](repeating: 0, count: header.width * header.height * 3)
        let base = raw.baseAddress!.assumingMemoryBound(to: UInt8.self)
        let status = pixels.withUnsafeMutableBufferPointer { out in
            tjDecompress2(
                handle, base, UInt(raw.count), out.baseAddress, Int32(header.width), 0, Int32(header.height),
                Int32(TJPF_RGB.rawValue), Int32(TJFLAG_STOPONWARNING))
        }
        guard status == 0 else { throw ImageError.corrupt(path: path, reason: tjMessage(handle)) }
        var image = try Image(width: header.width, height: header.height, pixels: pixels)
        let orientation = ExifOrientation.read(raw)
        if orientation != 1 { image = image.oriented(exif: orientation) }
        return image
    }

    /// Encodes RGB to baseline JPEG with 4:2:0 chroma subsampling.
    /// - Parameter quality: 1…100.
    public static func encodeJPEG(_ image: Image, quality: Int = 90, path: String = "<memory>") throws -> Data {
        guard (1...100).contains(quality) else {
            throw ImageError.invalidArgument("JPEG quality \(quality) is outside 1…100")
        }
        return try encodeJPEG(
            pixels: image.pixels, width: image.width, height: image.height, pixelFormat: Int32(TJPF_RGB.rawValue),
            quality: quality, subsampling: Int32(TJSAMP_420.rawValue), path: path)
    }

    /// Encodes a CMYK JPEG from 4-byte-per-pixel CMYK data (tests use it to produce CMYK files).
    public static func encodeCMYKJPEG(cmyk: [UInt8], width: Int, height: Int, quality: Int = 90) throws -> Data {
        guard cmyk.count == width * height * 4 else { throw ImageError.invalidArgument("CMYK buffer size mismatch") }
        return try encodeJPEG(
            pixels: cmyk, width: width, height: height, pixelFormat: Int32(TJPF_CMYK.rawValue), quality: quality,
            subsampling: Int32(TJSAMP_444.rawValue), path: "<memory>")
    }

    static func encodeJPEG(
        pixels: [UInt8], width: Int, height: Int, pixelFormat: Int32, quality: Int, subsampling: Int32, path: String
    ) throws -> Data {
        guard let handle = tjInitCompress() else {
            throw ImageError.encodeFailed(path: path, reason: "cannot start TurboJPEG")
        }
        defer { tjDestroy(handle) }
        var output: UnsafeMutablePointer<UInt8>? = nil
        var size: UInt = 0
        let status = pixels.withUnsafeBufferPointer { source in
            tjCompress2(
                handle, source.baseAddress, Int32(width), 0, Int32(height), pixelFormat, &output, &size, subsampling,
                Int32(quality), 0)
        }
        defer { if let output { tjFree(output) } }
        guard status == 0, let output else { throw ImageError.encodeFailed(path: path, reason: tjMessage(handle)) }
        return Data(bytes: output, count: Int(size))
    }

    // MARK: PNG

    static func pngMessage(_ image: inout png_image) -> String {
        withUnsafeBytes(of: &image.message) { bytes in
            let text = bytes.prefix { $0 != 0 }
            return String(decoding: text, as: UTF8.self)
        }
    }

    static func decodePNG(_ raw: UnsafeRawBufferPointer, path: String, maxPixels: Int) throws -> Image {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        defer { png_image_free(&image) }
        guard png_image_begin_read_from_memory(&image, raw.baseAddress, raw.count) != 0 else {
            throw ImageError.corrupt(path: path, reason: pngMessage(&image))
        }
        let width = Int(image.width), height = Int(image.height)
        guard width > 0, height > 0 else { throw ImageError.corrupt(path: path, reason: "zero image size in header") }
        guard width.multipliedReportingOverflow(by: height).partialValue <= maxPixels, width <= maxPixels,
            height <= maxPixels
        else {
            throw ImageError.tooLarge(path: path, width: width, height: height, limit: maxPixels)
        }
        image.format = UInt32(PNG_FORMAT_RGB)
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        guard Int(pixelrec_png_image_size(&image)) == pixels.count else {
            throw ImageError.corrupt(path: path, reason: "unexpected PNG buffer size")
        }
        var white = png_color(red: 255, green: 255, blue: 255)
        let status = pixels.withUnsafeMutableBytes { out in
            png_image_finish_read(&image, &white, out.baseAddress, 0, nil)
        }
        guard status != 0 else { throw ImageError.corrupt(path: path, reason: pngMessage(&image)) }
        return try Image(width: width, height: height, pixels: pixels)
    }

    /// Encodes RGB to PNG (tests and fixtures use it).
    public static func encodePNG(_ image: Image) throws -> Data {
        var png = png_image()
        png.version = UInt32(PNG_IMAGE_VERSION)
        png.width = UInt32(image.width)
        png.height = UInt32(image.height)
        png.format = UInt32(PNG_FORMAT_RGB)
        defer { png_image_free(&png) }
        var size: png_alloc_size_t = 0
        let probe = image.pixels.withUnsafeBytes { source in
            png_image_write_to_memory(&png, nil, &size, 0, source.baseAddress, 0, nil)
        }
        guard probe != 0, size > 0 else { throw ImageError.encodeFailed(path: "<memory>", reason: pngMessage(&png)) }
        var output = [UInt8](repeating: 0, count: Int(size))
        let status = image.pixels.withUnsafeBytes { source in
            output.withUnsafeMutableBytes { out in
                png_image_write_to_memory(&png, out.baseAddress, &size, 0, source.baseAddress, 0, nil)
            }
        }
        guard status != 0 else { throw ImageError.encodeFailed(path: "<memory>", reason: pngMessage(&png)) }
        return Data(output.prefix(Int(size)))
    }
}
