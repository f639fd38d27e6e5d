/// An RGB drawing surface for charts: single pixels, lines (thick or dashed), filled rectangles and text
/// in ``ChartFont``. Drawing outside the surface is clipped.
public struct ChartCanvas {
    public typealias Color = (UInt8, UInt8, UInt8)

    public static let white: Color = (255, 255, 255)
    public static let black: Color = (0, 0, 0)
    /// Grid lines.
    public static let grid: Color = (225, 225, 225)
    /// Axis labels and annotations.
    public static let muted: Color = (110, 110, 110)
    /// Series colours (matplotlib's first six), used in order.
    public static let palette: [Color] = [
        (31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189), (140, 86, 75),
    ]

    public let width: Int
    public let height: Int
    /// `height × width × 3` bytes, rows top to bottom.
    public private(set) var pixels: [UInt8]

    public init(width: Int, height: Int, background: Color = ChartCanvas.white) {
        self.width = max(width, 0)
        self.height = max(height, 0)
        pixels = [UInt8](repeating: 0, count: self.width * self.height * 3)
        for o in stride(from: 0, to: pixels.count, by: 3) {
            pixels[o] = background.0
            pixels[o + 1] = background.1
            pixels[o + 2] = background.2
        }
    }

    public mutating func set(_ x: Int, _ y: Int, _ c: Color) {
        guard x >= 0, y >= 0, x < width, y < height else { return }
        let o = (y * width + x) * 3
        pixels[o] = c.0
        pixels[o + 1] = c.1
        pixels[o + 2] = c.2
    }

    /// A Bresenham line from `(x0, y0)` to `(x1, y1)`, both ends included; `thick` adds the pixels right of
    /// and below it, `dashed` draws 5 pixels of every 10.
    public mutating func line(
        _ x0: Int, _ y0: Int, _ x1: Int, _ y1: Int, _ c: Color, thick: Bool = false, dashed: Bool = false
    ) {
        var x = x0, y = y0, step = 0
        let dx = abs(x1 - x0), dy = -abs(y1 - y0), sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1
        var err = dx + dy
        while true {
            if !dashed || (step / 5) % 2 == 0 {
                set(x, y, c)
                if thick {
                    set(x + 1, y, c)
                    set(x, y + 1, c)
                }
            }
            step += 1
            if x == x1 && y == y1 { break }
            let e2 = 2 * err
            if e2 >= dy { err += dy; x += sx }
            if e2 <= dx { err += dx; y += sy }
        }
    }

    /// Fills the rectangle with top-left corner `(x, y)`, `width × height` pixels.
    public mutating func fill(x: Int, y: Int, width w: Int, height h: Int, _ c: Color) {
        let left = max(x, 0), right = min(x + w, width), top = max(y, 0), bottom = min(y + h, height)
        guard left < right, top < bottom else { return }
        for row in top..<bottom { for column in left..<right { set(column, row, c) } }
    }

    /// Draws `text` with its top-left corner at `(x, y)`.
    public mutating func text(_ text: String, _ x: Int, _ y: Int, _ c: Color) {
        let scale = ChartFont.scale
        var cx = x
        for ch in text.uppercased() {
            if let rows = ChartFont.glyphs[ch] {
                for (r, row) in rows.enumerated() {
                    for (k, cell) in row.enumerated() where cell == "#" {
                        fill(x: cx + k * scale, y: y + r * scale, width: scale, height: scale, c)
                    }
                }
            }
            cx += ChartFont.advance
        }
    }

    /// The surface as an RGB image.
    /// - Throws: `ImageError` when the surface is empty.
    public func image() throws -> Image { try Image(width: width, height: height, pixels: pixels) }
}
