import Foundation
import PixelCore
import PixelImage

/// Small line charts rendered to RGB pixels and written as PNG (libpng through PixelImage): one panel
/// per group of series, axes with min/max labels in a built-in 3×5 pixel font, one colour per series
/// and a legend.
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

        public init(title: String, series: [Series]) {
            self.title = title
            self.series = series
        }
    }

    public var panels: [Panel]
    public var width = 720
    public var panelHeight = 260

    public init(panels: [Panel]) { self.panels = panels }

    static let palette: [(UInt8, UInt8, UInt8)] = [
        (31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189), (140, 86, 75),
    ]

    /// 3×5 glyphs, rows top to bottom, `#` = ink.
    static let glyphs: [Character: String] = [
        "0": "###,#.#,#.#,#.#,###", "1": ".#.,##.,.#.,.#.,###", "2": "###,..#,###,#..,###", "3": "###,..#,.##,..#,###",
        "4": "#.#,#.#,###,..#,..#", "5": "###,#..,###,..#,###", "6": "###,#..,###,#.#,###", "7": "###,..#,..#,.#.,.#.",
        "8": "###,#.#,###,#.#,###", "9": "###,#.#,###,..#,###", ".": "...,...,...,...,.#.", "-": "...,...,###,...,...",
        "@": "###,#.#,###,#..,###", "_": "...,...,...,...,###", "/": "..#,..#,.#.,#..,#..", ":": "...,.#.,...,.#.,...",
        "a": ".#.,#.#,###,#.#,#.#", "b": "##.,#.#,##.,#.#,##.", "c": "###,#..,#..,#..,###", "d": "##.,#.#,#.#,#.#,##.",
        "e": "###,#..,##.,#..,###", "f": "###,#..,##.,#..,#..", "g": "###,#..,#.#,#.#,###", "h": "#.#,#.#,###,#.#,#.#",
        "i": "###,.#.,.#.,.#.,###", "j": "..#,..#,..#,#.#,###", "k": "#.#,#.#,##.,#.#,#.#", "l": "#..,#..,#..,#..,###",
        "m": "#.#,###,###,#.#,#.#", "n": "##.,#.#,#.#,#.#,#.#", "o": "###,#.#,#.#,#.#,###", "p": "###,#.#,###,#..,#..",
        "q": "###,#.#,#.#,###,..#", "r": "##.,#.#,##.,#.#,#.#", "s": "###,#..,###,..#,###", "t": "###,.#.,.#.,.#.,.#.",
        "u": "#.#,#.#,#.#,#.#,###", "v": "#.#,#.#,#.#,#.#,.#.", "w": "#.#,#.#,###,###,#.#", "x": "#.#,#.#,.#.,#.#,#.#",
        "y": "#.#,#.#,.#.,.#.,.#.", "z": "###,..#,.#.,#..,###", " ": "...,...,...,...,...",
    ]

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

        mutating func line(_ x0: Int, _ y0: Int, _ x1: Int, _ y1: Int, _ c: (UInt8, UInt8, UInt8), thick: Bool = false)
        {
            var x = x0, y = y0
            let dx = abs(x1 - x0), dy = -abs(y1 - y0), sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1
            var err = dx + dy
            while true {
                set(x, y, c)
                if thick {
                    set(x + 1, y, c)
                    set(x, y + 1, c)
                }
                if x == x1 && y == y1 { break }
                let e2 = 2 * err
                if e2 >= dy { err += dy; x += sx }
                if e2 <= dx { err += dx; y += sy }
            }
        }

        mutating func text(_ s: String, _ x: Int, _ y: Int, _ c: (UInt8, UInt8, UInt8), scale: Int = 2) {
            var cx = x
            for ch in s.lowercased() {
                let rows = (CurvePlot.glyphs[ch] ?? CurvePlot.glyphs[" "]!).split(separator: ",")
                for (r, row) in rows.enumerated() {
                    for (k, cell) in row.enumerated() where cell == "#" {
                        for a in 0..<scale { for b in 0..<scale { set(cx + k * scale + a, y + r * scale + b, c) } }
                    }
                }
                cx += 4 * scale
            }
        }
    }

    static func label(_ v: Double) -> String {
        if v == 0 { return "0" }
        let a = abs(v)
        if a >= 1000 || a < 0.001 { return String(format: "%.2e", v) }
        return String(format: a >= 10 ? "%.1f" : "%.4f", v)
    }

    /// RGB image of the chart.
    public func render() throws -> Image {
        let height = panelHeight * max(1, panels.count)
        var canvas = Canvas(width: width, height: height, pixels: [UInt8](repeating: 255, count: width * height * 3))
        let left = 90, right = 20, top = 34, bottom = 30
        for (p, panel) in panels.enumerated() {
            let y0 = p * panelHeight
            let plotW = width - left - right, plotH = panelHeight - top - bottom
            canvas.text(panel.title, left, y0 + 8, (0, 0, 0))
            let all = panel.series.flatMap { $0.points.filter { $0.1.isFinite } }
            let axis: (UInt8, UInt8, UInt8) = (0, 0, 0), grid: (UInt8, UInt8, UInt8) = (225, 225, 225)
            let bx = left, by = y0 + top + plotH
            guard let minX = all.map(\.0).min(), let maxX = all.map(\.0).max(), var minY = all.map(\.1).min(),
                var maxY = all.map(\.1).max()
            else {
                canvas.line(bx, by, bx + plotW, by, axis)
                canvas.line(bx, by, bx, y0 + top, axis)
                continue
            }
            if maxY - minY < 1e-12 { maxY += 0.5; minY -= 0.5 }
            let spanX = max(maxX - minX, 1)
            for g in 0...4 {
                let gy = by - g * plotH / 4
                canvas.line(bx, gy, bx + plotW, gy, grid)
            }
            canvas.line(bx, by, bx + plotW, by, axis)
            canvas.line(bx, by, bx, y0 + top, axis)
            canvas.text(Self.label(maxY), 4, y0 + top - 4, axis)
            canvas.text(Self.label(minY), 4, by - 8, axis)
            canvas.text("\(Int(minX))", bx, by + 8, axis)
            canvas.text("epoch \(Int(maxX))", bx + plotW - 90, by + 8, axis)
            func px(_ x: Double) -> Int { bx + Int(((x - minX) / spanX * Double(plotW)).rounded()) }
            func py(_ y: Double) -> Int { by - Int(((y - minY) / (maxY - minY) * Double(plotH)).rounded()) }
            for (s, series) in panel.series.enumerated() {
                let color = Self.palette[s % Self.palette.count]
                let points = series.points.filter { $0.1.isFinite }
                for k in points.indices {
                    if k > 0 {
                        canvas.line(
                            px(points[k - 1].0), py(points[k - 1].1), px(points[k].0), py(points[k].1), color,
                            thick: true)
                    }
                    for a in -2...2 { for b in -2...2 { canvas.set(px(points[k].0) + a, py(points[k].1) + b, color) } }
                }
                let lx = left + 220 + s * 140
                for a in 0..<10 { for b in 0..<10 { canvas.set(lx + a, y0 + 8 + b, color) } }
                canvas.text(series.name, lx + 14, y0 + 8, (0, 0, 0))
            }
        }
        return try Image(width: width, height: height, pixels: canvas.pixels)
    }

    /// Renders and writes a PNG atomically.
    public func write(to path: String) throws {
        try AtomicFile.write(try ImageCodec.encodePNG(try render()), to: path)
    }

    /// The standard training chart: loss parts, and validation metrics, per epoch.
    public static func training(_ history: [EpochRecord]) -> CurvePlot {
        var loss = [Series(name: "train loss", points: history.map { (Double($0.epoch), $0.trainLoss) })]
        if history.contains(where: { $0.contrastiveLoss != 0 }) {
            loss.append(Series(name: "contrastive", points: history.map { (Double($0.epoch), $0.contrastiveLoss) }))
        }
        let metrics = TrainingLog.metricNames(history).filter { ["ndcg@10", "hit_rate@10"].contains($0) }
        let validation = metrics.map { name in
            Series(name: name, points: history.compactMap { r in r.validation[name].map { (Double(r.epoch), $0) } })
        }
        var panels = [Panel(title: "training loss", series: loss), Panel(title: "validation", series: validation)]
        if history.contains(where: { $0.validation["val_loss"] != nil }) {
            panels.append(
                Panel(
                    title: "validation loss",
                    series: [
                        Series(
                            name: "val loss",
                            points: history.compactMap { r in r.validation["val_loss"].map { (Double(r.epoch), $0) } })
                    ]))
        }
        return CurvePlot(panels: panels)
    }
}
