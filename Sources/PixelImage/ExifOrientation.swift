/// Reads the EXIF orientation tag (0x0112) of a JPEG and applies it.
///
/// Values follow the TIFF specification: 1 upright, 2 mirrored horizontally, 3 rotated 180°,
/// 4 mirrored vertically, 5 transposed, 6 rotated 90° clockwise, 7 transversed, 8 rotated 270° clockwise.
/// The parser checks every offset against the buffer, so a malformed APP1 segment yields 1 (upright).
enum ExifOrientation {
    static func read(_ bytes: UnsafeRawBufferPointer) -> Int {
        let count = bytes.count
        var offset = 2
        while offset + 4 <= count {
            guard bytes[offset] == 0xFF else { return 1 }
            let marker = bytes[offset + 1]
            if marker == 0xD8 || (0xD0...0xD7).contains(marker) || marker == 0x01 || marker == 0xFF {
                offset += marker == 0xFF ? 1 : 2
                continue
            }
            if marker == 0xDA || marker == 0xD9 { return 1 }  // start of scan: no EXIF before it
            let length = Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
            guard length >= 2, offset + 2 + length <= count else { return 1 }
            if marker == 0xE1, length >= 16 {
                let start = offset + 4
                let signature: [UInt8] = [0x45, 0x78, 0x69, 0x66, 0, 0]  // "Exif\0\0"
                if (0..<6).allSatisfy({ bytes[start + $0] == signature[$0] }) {
                    return tiffOrientation(bytes, start: start + 6, end: offset + 2 + length)
                }
            }
            offset += 2 + length
        }
        return 1
    }

    static func tiffOrientation(_ bytes: UnsafeRawBufferPointer, start: Int, end: Int) -> Int {
        guard start + 8 <= end else { return 1 }
        let little: Bool
        if bytes[start] == 0x49 && bytes[start + 1] == 0x49 {
            little = true
        } else if bytes[start] == 0x4D && bytes[start + 1] == 0x4D {
            little = false
        } else {
            return 1
        }
        func u16(_ at: Int) -> Int? {
            guard at >= start, at + 2 <= end else { return nil }
            let a = Int(bytes[at]), b = Int(bytes[at + 1])
            return little ? a | b << 8 : a << 8 | b
        }
        func u32(_ at: Int) -> Int? {
            guard let low = u16(little ? at : at + 2), let high = u16(little ? at + 2 : at) else { return nil }
            return high << 16 | low
        }
        guard let ifd = u32(start + 4), ifd < end - start, let entries = u16(start + ifd) else { return 1 }
        for entry in 0..<min(entries, 512) {
            let at = start + ifd + 2 + entry * 12
            guard let tag = u16(at) else { return 1 }
            if tag == 0x0112 {
                guard let value = u16(at + 8), (1...8).contains(value) else { return 1 }
                return value
            }
        }
        return 1
    }
}

extension Image {
    /// The image transformed so that an EXIF `orientation` (1…8) displays upright.
    public func oriented(exif orientation: Int) -> Image {
        guard (2...8).contains(orientation) else { return self }
        let swaps = orientation >= 5
        let outWidth = swaps ? height : width
        let outHeight = swaps ? width : height
        var result = [UInt8](repeating: 0, count: pixels.count)
        let w = width, h = height
        pixels.withUnsafeBufferPointer { source in
            result.withUnsafeMutableBufferPointer { out in
                for y in 0..<outHeight {
                    for x in 0..<outWidth {
                        // (sx, sy): the stored pixel that displays at (x, y).
                        let sx: Int, sy: Int
                        switch orientation {
                        case 2: (sx, sy) = (w - 1 - x, y)
                        case 3: (sx, sy) = (w - 1 - x, h - 1 - y)
                        case 4: (sx, sy) = (x, h - 1 - y)
                        case 5: (sx, sy) = (y, x)
                        case 6: (sx, sy) = (y, h - 1 - x)
                        case 7: (sx, sy) = (w - 1 - y, h - 1 - x)
                        default: (sx, sy) = (w - 1 - y, x)
                        }
                        let s = (sy * w + sx) * 3, d = (y * outWidth + x) * 3
                        out[d] = source[s]
                        out[d + 1] = source[s + 1]
                        out[d + 2] = source[s + 2]
                    }
                }
            }
        }
        // Sizes are positive and the count is unchanged, so this cannot fail.
        return (try? Image(width: outWidth, height: outHeight, pixels: result)) ?? self
    }
}
