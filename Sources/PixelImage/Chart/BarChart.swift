import Foundation
import PixelCore

/// Bar charts rendered to RGB pixels and written as PNG: one panel per quantity (its own y axis from 0,
/// "nice" ticks labelled, light grid lines), one bar per series in the same order and colour in every
/// panel, the series' names under the bars, each bar's value above it and, when given, its interval as a
/// whisker. Panels are laid out in a grid of up to two columns under a title line.
public struct BarChart {
    public struct Bar {
        /// `nil`: the series has no value for this panel (drawn as `n/a`).
        public var value: Double?
        /// An interval around the value (e.g. a 95% confidence interval), drawn as a whisker.
        public var low: Double?
        public var high: Double?

        public init(value: Double?, low: Double? = nil, high: Double? = nil) {
            self.value = value
            self.low = low
            self.high = high
        }
    }

    public struct Panel {
        public var title: String
        /// One bar per series, in the order of ``BarChart/series``.
        public var bars: [Bar]

        public init(title: String, bars: [Bar]) {
            self.title = title
            self.bars = bars
        }
    }

    /// A panel's place in the image, in pixels.
    public struct Frame: Equatable {
        public var x: Int, y: Int, width: Int, height: Int
    }

    public var title: String
    /// The series' names, written under their bars (cut to `maxNameLength` characters).
    public var series: [String]
    public var panels: [Panel]
    /// Label of the y axes (written above each axis; keep it short) and of the x axes (below the names, at
    /// the right).
    public var yLabel: String
    public var xLabel: String
    public var plotHeight = 170
    public var maxColumns = 2
    public var maxNameLength = 16

    public init(title: String, series: [String], panels: [Panel], yLabel: String = "", xLabel: String = "") {
        self.title = title
        self.series = series
        self.panels = panels
        self.yLabel = yLabel
        self.xLabel = xLabel
    }

    static let left = 96, right = 24, top = 56, bottom = 64, header = 40

    /// The names as drawn.
    var names: [String] {
        series.map { $0.count > maxNameLength ? String($0.prefix(maxNameLength - 1)) + "." : $0 }
    }

    /// Horizontal room per bar: the widest name or value label, plus a margin.
    var slot: Int {
        let widest = max(names.map(ChartFont.width).max() ?? 0, ChartFont.width("0.0000"))
        return widest + 20
    }

    var panelSize: (width: Int, height: Int) {
        (Self.left + max(series.count, 1) * slot + Self.right, Self.top + plotHeight + Self.bottom)
    }

    /// Two columns while they stay within 1,800 pixels, else one.
    var columns: Int {
        panels.count > 1 && 2 * panelSize.width <= 1800 ? min(maxColumns, 2) : 1
    }

    /// Width and height of the rendered image.
    public var size: (width: Int, height: Int) {
        let rows = (max(panels.count, 1) + columns - 1) / columns
        return (columns * panelSize.width, Self.header + rows * panelSize.height)
    }

    /// Where each panel is drawn, in panel order (row by row).
    public var frames: [Frame] {
        panels.indices.map { index in
            Frame(
                x: (index % columns) * panelSize.width, y: Self.header + (index / columns) * panelSize.height,
                width: panelSize.width, height: panelSize.height)
        }
    }

    /// Each panel's plot area: the axes' box (the bars, grid and value labels), in panel order.
    public var plotFrames: [Frame] {
        frames.map {
            Frame(
                x: $0.x + Self.left, y: $0.y + Self.top, width: $0.width - Self.left - Self.right, height: plotHeight)
        }
    }

    /// A value label: four decimals below 10, fewer above.
    static func valueLabel(_ v: Double) -> String {
        let a = abs(v)
        if a >= 1e5 || (a < 1e-4 && a > 0) { return String(format: "%.1e", v) }
        return String(format: a < 10 ? "%.4f" : a < 1000 ? "%.1f" : "%.0f", v)
    }

    /// RGB image of the chart.
    /// - Throws: `ImageError` when the pixels do not make an image (not expected for any chart).
    public func render() throws -> Image {
        let (width, height) = size
        var canvas = ChartCanvas(width: width, height: height)
        canvas.text(title, 16, 14, ChartCanvas.black)
        let names = self.names, slot = self.slot
        for (panel, frame) in zip(panels, frames) {
            let bx = frame.x + Self.left, by = frame.y + Self.top + plotHeight
            let plotW = frame.width - Self.left - Self.right
            canvas.text(panel.title, bx, frame.y + 8, ChartCanvas.black)
            canvas.text(
                yLabel, max(frame.x + 4, bx - ChartFont.width(yLabel) / 2), frame.y + 34, ChartCanvas.muted)
            // The y range: from 0 (or the lowest value) to the highest value or interval end, in whole steps.
            let ends = panel.bars.flatMap { [$0.value, $0.low, $0.high].compactMap { $0 }.filter(\.isFinite) }
            var lowY = min(0, ends.min() ?? 0), highY = max(0, ends.max() ?? 0)
            if highY - lowY < 1e-12 { highY = lowY + 1 }
            // Room above the highest bar for its value label.
            highY += (highY - lowY) * 0.15
            let step = ChartAxis.ticks(lowY, highY).step
            lowY = floor(lowY / step + 1e-9) * step
            highY = ceil(highY / step - 1e-9) * step
            let yTicks = ChartAxis.ticks(lowY, highY)
            func py(_ y: Double) -> Int { by - Int(((y - lowY) / (highY - lowY) * Double(plotHeight)).rounded()) }
            for v in yTicks.values {
                let y = py(v)
                canvas.line(bx, y, bx + plotW, y, ChartCanvas.grid)
                canvas.line(bx - 5, y, bx, y, ChartCanvas.black)
                let text = ChartAxis.label(v, step: yTicks.step)
                canvas.text(text, bx - 9 - ChartFont.width(text), y - ChartFont.height / 2, ChartCanvas.black)
            }
            canvas.line(bx, by, bx, frame.y + Self.top, ChartCanvas.black)
            canvas.line(bx, py(0), bx + plotW, py(0), ChartCanvas.black)
            let barWidth = min(slot * 3 / 5, 56)
            for (s, name) in names.enumerated() {
                let cx = bx + s * slot + slot / 2
                canvas.line(cx, by, cx, by + 5, ChartCanvas.black)
                canvas.text(name, cx - ChartFont.width(name) / 2, by + 9, ChartCanvas.black)
                guard s < panel.bars.count, let value = panel.bars[s].value, value.isFinite else {
                    canvas.text("n/a", cx - ChartFont.width("n/a") / 2, by - ChartFont.height - 4, ChartCanvas.muted)
                    continue
                }
                let bar = panel.bars[s]
                let zero = py(0), end = py(value)
                // At least two pixels tall, so a zero shows as a stub on the axis rather than nothing.
                let span = abs(zero - end)
                canvas.fill(
                    x: cx - barWidth / 2, y: min(zero, end) - (span < 2 ? 1 : 0), width: barWidth,
                    height: max(span, 2), ChartCanvas.palette[s % ChartCanvas.palette.count])
                var labelTop = min(zero, end)
                if let low = bar.low, let high = bar.high, low.isFinite, high.isFinite {
                    let top = py(high), bottom = py(low)
                    canvas.line(cx, top, cx, bottom, ChartCanvas.black)
                    canvas.line(cx - 6, top, cx + 6, top, ChartCanvas.black)
                    canvas.line(cx - 6, bottom, cx + 6, bottom, ChartCanvas.black)
                    labelTop = min(labelTop, top)
                }
                let text = Self.valueLabel(value)
                canvas.text(text, cx - ChartFont.width(text) / 2, labelTop - ChartFont.height - 4, ChartCanvas.black)
            }
            canvas.text(
                xLabel, bx + plotW - ChartFont.width(xLabel), by + 9 + ChartFont.height + 6, ChartCanvas.muted)
        }
        return try canvas.image()
    }

    /// Renders and writes a PNG atomically (a temporary file renamed into place).
    public func write(to path: String) throws {
        try AtomicFile.write(try ImageCodec.encodePNG(try render()), to: path)
    }
}
