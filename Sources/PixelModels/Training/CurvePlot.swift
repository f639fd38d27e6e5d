import Foundation
import PixelCore
import PixelImage

/// Line charts rendered to RGB pixels and written as PNG (libpng through PixelImage): one panel per
/// quantity (its own y axis), "nice" ticks labelled on both axes (steps of 1, 2 or 5 × 10^k), light grid
/// lines at the ticks, an optional marked x (the best epoch), one colour per series with a legend, and
/// text in ``ChartFont`` (the drawing, ticks and font are PixelImage's, shared with ``BarChart``).
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

    /// RGB image of the chart.
    public func render() throws -> Image {
        let height = panelHeight * max(1, panels.count)
        var canvas = ChartCanvas(width: width, height: height)
        let black = ChartCanvas.black, grid = ChartCanvas.grid, muted = ChartCanvas.muted
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
            let step = ChartAxis.ticks(minY, maxY).step
            let lowY = floor(minY / step + 1e-9) * step, highY = ceil(maxY / step - 1e-9) * step
            let yTicks = ChartAxis.ticks(lowY, highY)
            let xTicks = ChartAxis.ticks(minX, max(maxX, minX + 1), count: 6, integer: true)
            let lowX = min(minX, xTicks.values.first ?? minX), highX = max(maxX, minX + 1, xTicks.values.last ?? maxX)
            func px(_ x: Double) -> Int { bx + Int(((x - lowX) / (highX - lowX) * Double(plotW)).rounded()) }
            func py(_ y: Double) -> Int { by - Int(((y - lowY) / (highY - lowY) * Double(plotH)).rounded()) }
            for v in yTicks.values {
                let y = py(v)
                canvas.line(bx, y, bx + plotW, y, grid)
                canvas.line(bx - 5, y, bx, y, black)
                let text = ChartAxis.label(v, step: yTicks.step)
                canvas.text(text, bx - 9 - ChartFont.width(text), y - ChartFont.height / 2, black)
            }
            for v in xTicks.values {
                let x = px(v)
                canvas.line(x, by, x, by + 5, black)
                let text = ChartAxis.label(v, step: xTicks.step)
                canvas.text(text, x - ChartFont.width(text) / 2, by + 9, black)
            }
            canvas.line(bx, by, bx + plotW, by, black)
            canvas.line(bx, by, bx, y0 + top, black)
            canvas.text(xLabel, bx + plotW - ChartFont.width(xLabel), by + 9 + ChartFont.height + 4, muted)
            if let mark = panel.mark, mark >= lowX, mark <= highX {
                let x = px(mark)
                canvas.line(x, by, x, y0 + top, muted, dashed: true)
                let text = panel.markLabel
                let fits = x + 6 + ChartFont.width(text) <= bx + plotW
                let tx = fits ? x + 6 : x - 6 - ChartFont.width(text)
                // At the bottom: validation curves usually rise, so it stays clear of them.
                canvas.text(text, tx, by - ChartFont.height - 6, muted)
            }
            var legendX = bx + plotW
            for (s, series) in panel.series.enumerated().reversed() {
                legendX -= ChartFont.width(series.name) + 30
                let color = ChartCanvas.palette[s % ChartCanvas.palette.count]
                canvas.fill(x: legendX, y: y0 + 11, width: 12, height: 12, color)
                canvas.text(series.name, legendX + 18, y0 + 10, black)
            }
            for (s, series) in panel.series.enumerated() {
                let color = ChartCanvas.palette[s % ChartCanvas.palette.count]
                let points = series.points.filter { $0.1.isFinite }
                for k in points.indices {
                    if k > 0 {
                        canvas.line(
                            px(points[k - 1].0), py(points[k - 1].1), px(points[k].0), py(points[k].1), color,
                            thick: true)
                    }
                    if points.count <= 60 {
                        canvas.fill(x: px(points[k].0) - 2, y: py(points[k].1) - 2, width: 5, height: 5, color)
                    }
                }
            }
        }
        return try canvas.image()
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
