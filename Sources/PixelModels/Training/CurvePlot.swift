import Foundation
import PixelCore
import PixelImage

/// Line charts rendered to RGB pixels and written as PNG (libpng through PixelImage): one panel per
/// quantity (its own y axis), "nice" ticks labelled on both axes (steps of 1, 2 or 5 × 10^k), light grid
/// lines at the ticks, an optional marked x (the best epoch), one colour per series with a legend, and
/// text in a built-in 5×7 font drawn at twice its size.
public struct CurvePlot {
    public struct Series {
        public var name: String
        /// `(x, y)` points; non-finite `y` values are skipped.
        public var points: [(Double, Double)]

        public init(name: String, points: [(Double, Double)]) {
            self.name = name
            self.points = points
        }
    }

    public struct Panel {
        public var title: String
        public var series: [Series]
        /// An x to mark with a dashed vertical line and `markLabel` (e.g. the best epoch).
        public var mark: Double?
        public var markLabel: String

        public init(title: String, series: [Series], mark: Double? = nil, markLabel: String = "") {
            self.title = title
            self.series = series
            self.mark = mark
            self.markLabel = markLabel
        }
    }

    public var panels: [Panel]
    /// Label of the shared x axis.
    public var xLabel: String
    public var width = 760
    public var panelHeight = 250

    public init(panels: [Panel], xLabel: String = "epoch") {
        self.panels = panels
        self.xLabel = xLabel
    }

    static let palette: [(UInt8, UInt8, UInt8)] = [
        (31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189), (140, 86, 75),
    ]

    /// 5×7 glyphs (upper case; lower case is drawn with them), rows top to bottom, `#` = ink.
    static let glyphs: [Character: [String]] = {
        let table: [(Character, String)] = [
            ("0", ".###. #...# #..## #.#.# ##..# #...# .###."), ("1", "..#.. .##.. ..#.. ..#.. ..#.. ..#.. .###."),
            ("2", ".###. #...# ....# ...#. ..#.. .#... #####"), ("3", "##### ...#. ..#.. ...#. ....# #...# .###."),
            ("4", "...#. ..##. .#.#. #..#. ##### ...#. ...#."), ("5", "##### #.... ####. ....# ....# #...# .###."),
            ("6", "..##. .#... #.... ####. #...# #...# .###."), ("7", "##### ....# ...#. ..#.. .#... .#... .#..."),
            ("8", ".###. #...# #...# .###. #...# #...# .###."), ("9", ".###. #...# #...# .#### ....# ...#. .##.."),
            ("A", ".###. #...# #...# ##### #...# #...# #...#"), ("B", "####. #...# #...# ####. #...# #...# ####."),
            ("C", ".###. #...# #.... #.... #.... #...# .###."), ("D", "###.. #..#. #...# #...# #...# #..#. ###.."),
            ("E", "##### #.... #.... ####. #.... #.... #####"), ("F", "##### #.... #.... ####. #.... #.... #...."),
            ("G", ".###. #...# #.... #.### #...# #...# .####"), ("H", "#...# #...# #...# ##### #...# #...# #...#"),
            ("I", ".###. ..#.. ..#.. ..#.. ..#.. ..#.. .###."), ("J", "..### ...#. ...#. ...#. ...#. #..#. .##.."),
            ("K", "#...# #..#. #.#.. ##... #.#.. #..#. #...#"), ("L", "#.... #.... #.... #.... #.... #.... #####"),
            ("M", "#...# ##.## #.#.# #.#.# #...# #...# #...#"), ("N", "#...# #...# ##..# #.#.# #..## #...# #...#"),
            ("O", ".###. #...# #...# #...# #...# #...# .###."), ("P", "####. #...# #...# ####. #.... #.... #...."),
            ("Q", ".###. #...# #...# #...# #.#.# #..#. .##.#"), ("R", "####. #...# #...# ####. #.#.. #..#. #...#"),
            ("S", ".#### #.... #.... .###. ....# ....# ####."), ("T", "##### ..#.. ..#.. ..#.. ..#.. ..#.. ..#.."),
            ("U", "#...# #...# #...# #...# #...# #...# .###."), ("V", "#...# #...# #...# #...# #...# .#.#. ..#.."),
            ("W", "#...# #...# #...# #.#.# #.#.# #.#.# .#.#."), ("X", "#...# #...# .#.#. ..#.. .#.#. #...# #...#"),
            ("Y", "#...# #...# .#.#. ..#.. ..#.. ..#.. ..#.."), ("Z", "##### ....# ...#. ..#.. .#... #.... #####"),
            (".", "..... ..... ..... ..... ..... .##.. .##.."), ("-", "..... ..... ..... .###. ..... ..... ....."),
            ("@", ".###. #...# ....# .##.# #.#.# #.#.# .###."), ("_", "..... ..... ..... ..... ..... ..... #####"),
            ("/", "....# ....# ...#. ..#.. .#... #.... #...."), (":", "..... .##.. .##.. ..... .##.. .##.. ....."),
            ("(", "...#. ..#.. .#... .#... .#... ..#.. ...#."), (")", ".#... ..#.. ...#. ...#. ...#. ..#.. .#..."),
            ("%", "##..# ##..# ...#. ..#.. .#... #..## #..##"), (",", "..... ..... ..... ..... .##.. ..#.. .#..."),
            ("=", "..... ..... ##### ..... ##### ..... ....."), ("+", "..... ..#.. ..#.. ##### ..#.. ..#.. ....."),
            (" ", "..... ..... ..... ..... ..... ..... ....."),
        ]
        return Dictionary(uniqueKeysWithValues: table.map { ($0.0, $0.1.split(separator: " ").map(String.init)) })
    }()

    /// Pixels per font cell (the 5×7 glyphs drawn 2× in 6-pixel-wide cells: 12 × 14 px per character).
    static let fontScale = 2
    static let advance = 6 * fontScale
    static let textHeight = 7 * fontScale

    struct Canvas {
        let width: Int, height: Int
        var pixels: [UInt8]

        mutating func set(_ x: Int, _ y: Int, _ c: (UInt8, UInt8, UInt8)) {
            guard x >= 0, y >= 0, x < width, y < height else { return }
            let o = (y * width + x) * 3
            pixels[o] = c.0
            pixels[o + 1] = c.1
            pixels[o + 2] = c.2
        }

        mutating func line(
            _ x0: Int, _ y0: Int, _ x1: Int, _ y1: Int, _ c: (UInt8, UInt8, UInt8), thick: Bool = false,
            dashed: Bool = false
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

        /// Draws `s` with its top-left corner at `(x, y)`.
        mutating func text(_ s: String, _ x: Int, _ y: Int, _ c: (UInt8, UInt8, UInt8)) {
            let scale = CurvePlot.fontScale
            var cx = x
            for ch in s.uppercased() {
                let rows = CurvePlot.glyphs[ch] ?? CurvePlot.glyphs[" "]!
                for (r, row) in rows.enumerated() {
                    for (k, cell) in row.enumerated() where cell == "#" {
                        for a in 0..<scale { for b in 0..<scale { set(cx + k * scale + a, y + r * scale + b, c) } }
                    }
                }
                cx += CurvePlot.advance
            }
        }

        /// Pixel width of `s`.
        static func width(_ s: String) -> Int { s.count * CurvePlot.advance }
    }

    /// Ticks covering `lo ... hi`: multiples of a step of 1, 2 or 5 × 10^k giving about `count` intervals.
    /// - Returns: the tick values (ascending, within the range widened to whole steps) and the step.
    static func ticks(_ lo: Double, _ hi: Double, count: Int = 4, integer: Bool = false) -> (
        values: [Double], step: Double
    ) {
        let span = max(hi - lo, integer ? 1 : 1e-12)
        let raw = span / Double(max(count, 1))
        let magnitude = pow(10, floor(log10(raw)))
        var step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? 10 * magnitude
        if integer { step = max(1, step.rounded()) }
        let first = ceil(lo / step - 1e-9) * step
        var values: [Double] = []
        var v = first
        while v <= hi + step * 1e-9 && values.count < 50 {
            values.append(abs(v) < step * 1e-9 ? 0 : v)
            v += step
        }
        return (values, step)
    }

    /// A tick label with as many decimals as the step needs (scientific notation for very small or
    /// large values).
    static func label(_ v: Double, step: Double) -> String {
        if v == 0 { return "0" }
        let a = abs(v)
        if a >= 1e5 || a < 1e-4 { return String(format: "%.1e", v) }
        let decimals = max(0, min(6, Int(-floor(log10(step) + 1e-9))))
        return String(format: "%.\(decimals)f", v)
    }

    /// RGB image of the chart.
    public func render() throws -> Image {
        let height = panelHeight * max(1, panels.count)
        var canvas = Canvas(width: width, height: height, pixels: [UInt8](repeating: 255, count: width * height * 3))
        let black: (UInt8, UInt8, UInt8) = (0, 0, 0), grid: (UInt8, UInt8, UInt8) = (225, 225, 225)
        let muted: (UInt8, UInt8, UInt8) = (110, 110, 110)
        let left = 104, right = 24, top = 40, bottom = 48
        for (p, panel) in panels.enumerated() {
            let y0 = p * panelHeight
            let plotW = width - left - right, plotH = panelHeight - top - bottom
            let bx = left, by = y0 + top + plotH
            canvas.text(panel.title, left, y0 + 10, black)
            let all = panel.series.flatMap { $0.points.filter { $0.1.isFinite } }
            guard let minX = all.map(\.0).min(), let maxX = all.map(\.0).max(), var minY = all.map(\.1).min(),
                var maxY = all.map(\.1).max()
            else {
                canvas.line(bx, by, bx + plotW, by, black)
                canvas.line(bx, by, bx, y0 + top, black)
                canvas.text("no data", bx + 10, by - plotH / 2, muted)
                continue
            }
            if maxY - minY < 1e-12 * max(1, abs(maxY)) {
                let pad = max(abs(maxY) * 0.05, 0.5)
                (minY, maxY) = (minY - pad, maxY + pad)
            }
            // The y range widened to whole tick steps, so both ends carry a labelled tick.
            let step = Self.ticks(minY, maxY).step
            let lowY = floor(minY / step + 1e-9) * step, highY = ceil(maxY / step - 1e-9) * step
            let yTicks = Self.ticks(lowY, highY)
            let xTicks = Self.ticks(minX, max(maxX, minX + 1), count: 6, integer: true)
            let lowX = min(minX, xTicks.values.first ?? minX), highX = max(maxX, minX + 1, xTicks.values.last ?? maxX)
            func px(_ x: Double) -> Int { bx + Int(((x - lowX) / (highX - lowX) * Double(plotW)).rounded()) }
            func py(_ y: Double) -> Int { by - Int(((y - lowY) / (highY - lowY) * Double(plotH)).rounded()) }
            for v in yTicks.values {
                let y = py(v)
                canvas.line(bx, y, bx + plotW, y, grid)
                canvas.line(bx - 5, y, bx, y, black)
                let text = Self.label(v, step: yTicks.step)
                canvas.text(text, bx - 9 - Canvas.width(text), y - Self.textHeight / 2, black)
            }
            for v in xTicks.values {
                let x = px(v)
                canvas.line(x, by, x, by + 5, black)
                let text = Self.label(v, step: xTicks.step)
                canvas.text(text, x - Canvas.width(text) / 2, by + 9, black)
            }
            canvas.line(bx, by, bx + plotW, by, black)
            canvas.line(bx, by, bx, y0 + top, black)
            canvas.text(xLabel, bx + plotW - Canvas.width(xLabel), by + 9 + Self.textHeight + 4, muted)
            if let mark = panel.mark, mark >= lowX, mark <= highX {
                let x = px(mark)
                canvas.line(x, by, x, y0 + top, muted, dashed: true)
                let text = panel.markLabel
                let fits = x + 6 + Canvas.width(text) <= bx + plotW
                let tx = fits ? x + 6 : x - 6 - Canvas.width(text)
                // At the bottom: validation curves usually rise, so it stays clear of them.
                canvas.text(text, tx, by - Self.textHeight - 6, muted)
            }
            var legendX = bx + plotW
            for (s, series) in panel.series.enumerated().reversed() {
                legendX -= Canvas.width(series.name) + 30
                let color = Self.palette[s % Self.palette.count]
                for a in 0..<12 { for b in 0..<12 { canvas.set(legendX + a, y0 + 11 + b, color) } }
                canvas.text(series.name, legendX + 18, y0 + 10, black)
            }
            for (s, series) in panel.series.enumerated() {
                let color = Self.palette[s % Self.palette.count]
                let points = series.points.filter { $0.1.isFinite }
                for k in points.indices {
                    if k > 0 {
                        canvas.line(
                            px(points[k - 1].0), py(points[k - 1].1), px(points[k].0), py(points[k].1), color,
                            thick: true)
                    }
                    if points.count <= 60 {
                        for a in -2...2 {
                            for b in -2...2 { canvas.set(px(points[k].0) + a, py(points[k].1) + b, color) }
                        }
                    }
                }
            }
        }
        return try Image(width: width, height: height, pixels: canvas.pixels)
    }

    /// Renders and writes a PNG atomically.
    public func write(to path: String) throws {
        try AtomicFile.write(try ImageCodec.encodePNG(try render()), to: path)
    }

    /// The standard training chart, one panel per quantity: the training loss, the contrastive term (when
    /// used), each validation metric at 10 and the validation loss (when measured); validation panels mark
    /// `bestEpoch`.
    public static func training(_ history: [EpochRecord], bestEpoch: Int? = nil) -> CurvePlot {
        let mark = bestEpoch.map(Double.init), markLabel = bestEpoch.map { "best epoch \($0)" } ?? ""
        var panels = [
            Panel(
                title: "training loss",
                series: [Series(name: "train loss", points: history.map { (Double($0.epoch), $0.trainLoss) })])
        ]
        if history.contains(where: { $0.contrastiveLoss != 0 }) {
            panels.append(
                Panel(
                    title: "contrastive loss (image-text InfoNCE)",
                    series: [
                        Series(name: "contrastive", points: history.map { (Double($0.epoch), $0.contrastiveLoss) })
                    ]))
        }
        let metrics = TrainingLog.metricNames(history).filter { ["ndcg@10", "hit_rate@10"].contains($0) }
        for name in metrics {
            let points = history.compactMap { r in r.validation[name].map { (Double(r.epoch), $0) } }
            panels.append(
                Panel(
                    title: "validation \(name)", series: [Series(name: name, points: points)], mark: mark,
                    markLabel: markLabel))
        }
        if history.contains(where: { $0.validation["val_loss"] != nil }) {
            panels.append(
                Panel(
                    title: "validation loss",
                    series: [
                        Series(
                            name: "val loss",
                            points: history.compactMap { r in r.validation["val_loss"].map { (Double(r.epoch), $0) } })
                    ], mark: mark, markLabel: markLabel))
        }
        return CurvePlot(panels: panels)
    }
}
